import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';
import { createPayer, signInAs } from './payments-fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const text = pageText;

async function post(agent: Agent, from: string, to: string, body: Record<string, string>) {
  const page = await agent.get(from);
  return agent
    .post(to)
    .type('form')
    .send({ ...body, _csrf: csrfFrom(page.text) });
}

/** Goes through the sandbox's hosted card page; returns the return URL it redirects to. */
async function tokenise(agent: Agent, kind: 'card' | 'ach', fields: Record<string, string>) {
  const start = await post(agent, '/payment-methods/new', '/payment-methods/new', { kind });
  expect(start.status).toBe(303);
  const hosted = start.headers.location!;
  expect(hosted).toMatch(
    kind === 'card' ? /^\/gateway\/sandbox\/card\?/ : /^\/gateway\/sandbox\/bank-account\?/,
  );
  const q = new URL(hosted, 'http://x').searchParams;
  const res = await post(agent, hosted, new URL(hosted, 'http://x').pathname, {
    return: q.get('return')!,
    state: q.get('state')!,
    ...fields,
  });
  return res;
}

const CARD = {
  name: 'Pat Payer',
  number: '4111 1111 1111 1111',
  expMonth: '12',
  expYear: '2029',
  cvc: '737',
};

describe('/payment-methods and the sandbox gateway', () => {
  it('adds a card through the hosted page; only token, brand, last 4 and expiry are kept; the same reference twice saves one', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const res = await tokenise(agent, 'card', CARD);
    expect(res.status).toBe(303);
    const back = res.headers.location!;
    expect(back).toMatch(/^\/payment-methods\/added\?gateway_ref=/);
    for (let i = 0; i < 5; i++) expect((await agent.get(back)).status).toBe(303);
    const rows = await t.deps
      .db('payment_methods')
      .where({ customer_id: p.customerId, last4: '1111' })
      .select('*');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'card',
      brand: 'Visa',
      last4: '1111',
      exp_month: 12,
      exp_year: 2029,
      status: 'active',
    });
    const dump =
      JSON.stringify(await t.deps.db('payment_methods').select('*')) +
      JSON.stringify(await t.deps.db('audit_log').select('*')) +
      JSON.stringify(await t.deps.db('activities').select('*'));
    expect(dump).not.toContain('4111111111111111');
    // The CVV as a stored value (a bare substring would also match random token characters).
    expect(dump).not.toMatch(/":"737"/);
    expect(t.logs.join('\n')).not.toContain('4111111111111111');
    expect(t.logs.join('\n')).not.toMatch(/4111 1111/);
    const list = text((await agent.get('/payment-methods')).text);
    expect(list).toContain('The payment method was added.');
    expect(list).toContain('Visa ending 1111');
  });

  it('adds a bank account; never keeps the account or routing number', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const res = await tokenise(agent, 'ach', {
      holder: 'Pat Payer',
      routing: '110000000',
      account: '000123456789',
    });
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location!)).status).toBe(303);
    const row = await t.deps
      .db('payment_methods')
      .where({ customer_id: p.customerId, kind: 'ach', account_holder: 'Pat Payer' })
      .first('*');
    expect(row).toMatchObject({ last4: '6789', account_holder: 'Pat Payer' });
    expect(JSON.stringify(await t.deps.db('payment_methods').select('*'))).not.toContain('000123456789');
  });

  it('the hosted page answers 400 with an error summary and never shows the number again', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const res = await tokenise(agent, 'card', {
      ...CARD,
      number: '4111 1111 1111 1112',
      cvc: '99',
      expYear: '2020',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#number"');
    expect(res.text).toContain('href="#cvc"');
    expect(res.text).toContain('href="#expMonth"');
    expect(res.text).not.toContain('4111 1111 1111 1112');
    expect(res.text).not.toContain('value="99"');
  });

  it('a forged, altered or foreign reference changes nothing', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const before = await t.deps.db('payment_methods').where({ customer_id: p.customerId }).count('* as n');
    const good = (await tokenise(agent, 'card', CARD)).headers.location!;
    const ref = decodeURIComponent(good.split('gateway_ref=')[1]!);
    const [body, mac] = ref.split('.');
    const data = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const forgedBody = Buffer.from(JSON.stringify({ ...data, last4: '9999' })).toString('base64url');
    for (const r of [`${forgedBody}.${mac}`, 'junk', `${body}.AAAA`]) {
      const res = await agent.get(`/payment-methods/added?gateway_ref=${encodeURIComponent(r)}`);
      expect(res.status).toBe(400);
    }
    // Another user's session (another state) cannot use this reference.
    const other = await createPayer(t);
    const otherAgent = await signInAs(t, other);
    await post(otherAgent, '/payment-methods/new', '/payment-methods/new', { kind: 'card' });
    expect((await otherAgent.get(good)).status).toBe(400);
    expect(await t.deps.db('payment_methods').where({ customer_id: p.customerId }).count('* as n')).toEqual(
      before,
    );
    expect(
      await t.deps
        .db('payment_methods')
        .where({ customer_id: other.customerId, last4: '1111' })
        .count('* as n'),
    ).toEqual([{ n: 0 }]);
  });

  it('nickname (400 when too long), set default (one default), remove', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const bad = await post(agent, `/payment-methods/${p.ach}/edit`, `/payment-methods/${p.ach}/edit`, {
      nickname: 'x'.repeat(41),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#nickname"');
    expect(bad.text).toContain('x'.repeat(41));
    expect(
      (
        await post(agent, `/payment-methods/${p.ach}/edit`, `/payment-methods/${p.ach}/edit`, {
          nickname: 'Payroll <b>',
        })
      ).status,
    ).toBe(303);
    const list = await agent.get('/payment-methods');
    expect(list.text).toContain('Payroll &lt;b&gt;');
    expect((await post(agent, '/payment-methods', `/payment-methods/${p.ach}/default`, {})).status).toBe(303);
    const defaults = await t.deps
      .db('payment_methods')
      .where({ customer_id: p.customerId, is_default: true, status: 'active' })
      .select('id');
    expect(defaults).toEqual([{ id: p.ach }]);
    expect(
      (await post(agent, `/payment-methods/${p.card}/remove`, `/payment-methods/${p.card}/remove`, {}))
        .status,
    ).toBe(303);
    expect((await t.deps.db('payment_methods').where({ id: p.card }).first('status')).status).toBe('removed');
    const audit = await t.deps
      .db('audit_log')
      .where({ entity_type: 'payment_method', acting_customer_id: p.customerId })
      .select('action');
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
      'payment_method.default',
      'payment_method.removed',
      'payment_method.renamed',
    ]);
  });

  it('refuses to remove a method an autopay enrolment uses, and explains', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    await t.deps.db('autopay_enrollments').insert({
      customer_id: p.customerId,
      contract_id: p.contracts[0],
      payment_method_id: p.ach,
      days_before_due: 3,
      accepted_terms_at: new Date(),
    });
    const res = await post(agent, `/payment-methods/${p.ach}/remove`, `/payment-methods/${p.ach}/remove`, {});
    expect(res.status).toBe(409);
    expect(text(res.text)).toMatch(
      /Autopay uses it for contract TC-\S+\. Change autopay to another method or cancel it first\./,
    );
    expect((await t.deps.db('payment_methods').where({ id: p.ach }).first('status')).status).toBe('active');
  });

  it('404 for another customer’s method on every route; 403 without payments.make or autopay.manage', async () => {
    const mine = await createPayer(t);
    const other = await createPayer(t);
    const agent = await signInAs(t, mine);
    for (const path of [`/payment-methods/${other.card}/edit`, `/payment-methods/${other.card}/remove`])
      expect((await agent.get(path)).status, path).toBe(404);
    for (const path of [
      `/payment-methods/${other.card}/edit`,
      `/payment-methods/${other.card}/default`,
      `/payment-methods/${other.card}/remove`,
    ])
      expect((await post(agent, '/payment-methods', path, { nickname: 'x' })).status, path).toBe(404);
    expect(
      await t.deps.db('payment_methods').where({ id: other.card }).first('status', 'nickname', 'is_default'),
    ).toEqual({ status: 'active', nickname: null, is_default: true });

    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    expect((await viewer.get('/payment-methods')).status).toBe(403);
    expect((await viewer.get('/gateway/sandbox/card?return=/&state=aaaaaaaaaaaaaaaaaaaa')).status).toBe(403);
  });
});
