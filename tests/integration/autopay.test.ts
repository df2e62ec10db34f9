import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { balances, createPayer, signInAs } from './payments-fixtures.ts';

let t: TestApp;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startApp({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const text = pageText;

/** Waits (draining the outbox) for a message to `to` whose subject starts with `subject`. */
async function mailTo(to: string, subject: string) {
  const until = Date.now() + 10_000;
  for (;;) {
    await t.deps.outbox.drain();
    const m = sink.messages.find(
      (x) => (x.to as { text: string }).text === to && x.subject?.startsWith(subject),
    );
    if (m) return m;
    if (Date.now() > until) throw new Error(`no e-mail "${subject}" to ${to}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function submit(agent: Agent, fields: [string, string][]) {
  const page = await agent.get('/autopay/new');
  return agent
    .post('/autopay/new')
    .type('form')
    .send(new URLSearchParams([['_csrf', csrfFrom(page.text)], ...fields]).toString());
}

describe('/autopay', () => {
  it('enrols chosen contracts after terms and review; change; cancel; activities and audit rows', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [k1, k2] = p.contracts;
    const res = await submit(agent, [
      ['which', 'chosen'],
      ['contract', String(k1)],
      ['method', String(p.ach)],
      ['days', '5'],
      ['terms', 'accepted'],
    ]);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/autopay/review');
    const review = await agent.get('/autopay/review');
    expect(text(review.text)).toMatch(
      /Pay with Sandbox Test Bank ending 6789 .*When 5 days before the due date/,
    );
    // Nothing is on before the confirmation.
    expect(
      await t.deps.db('autopay_enrollments').where({ customer_id: p.customerId }).count('* as n'),
    ).toEqual([{ n: 0 }]);
    const ok = await agent
      .post('/autopay/confirm')
      .type('form')
      .send({ _csrf: csrfFrom(review.text) });
    expect(ok.status).toBe(303);
    const page = text((await agent.get('/autopay')).text);
    expect(page).toContain('Autopay is on for 1 contract.');
    const active = await t.deps
      .db('autopay_enrollments')
      .where({ customer_id: p.customerId, active: true })
      .select('contract_id', 'payment_method_id', 'days_before_due');
    expect(active).toEqual([{ contract_id: k1, payment_method_id: p.ach, days_before_due: 5 }]);

    // Change: all contracts, by card, on the due date.
    await submit(agent, [
      ['which', 'all'],
      ['method', String(p.card)],
      ['days', '0'],
      ['terms', 'accepted'],
    ]);
    const r2 = await agent.get('/autopay/review');
    await agent
      .post('/autopay/confirm')
      .type('form')
      .send({ _csrf: csrfFrom(r2.text) });
    const after = await t.deps
      .db('autopay_enrollments')
      .where({ customer_id: p.customerId, active: true })
      .orderBy('contract_id')
      .select('contract_id', 'payment_method_id', 'days_before_due');
    expect(after).toEqual([
      { contract_id: k1, payment_method_id: p.card, days_before_due: 0 },
      { contract_id: k2, payment_method_id: p.card, days_before_due: 0 },
    ]);
    const overview = await agent.get('/autopay');
    const cancel = await agent
      .post(`/autopay/${k2}/cancel`)
      .type('form')
      .send({ _csrf: csrfFrom(overview.text) });
    expect(cancel.status).toBe(303);
    expect(
      await t.deps
        .db('autopay_enrollments')
        .where({ customer_id: p.customerId, active: true })
        .select('contract_id'),
    ).toEqual([{ contract_id: k1 }]);
    const audit = await t.deps
      .db('audit_log')
      .where({ acting_customer_id: p.customerId })
      .andWhere('action', 'like', 'autopay.%')
      .orderBy('id')
      .select('action');
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'autopay.enrolled',
      'autopay.changed',
      'autopay.enrolled',
      'autopay.cancelled',
    ]);
    const acts = await t.deps.db('activities').where({ customer_id: p.customerId }).select('subject');
    expect(acts.map((a: { subject: string }) => a.subject)).toContain(
      `Autopay changed for contract ${(await t.deps.db('contracts').where({ id: k1 }).first('number')).number}: Visa ending 4242, on the due date`,
    );
  });

  it('400 with an error summary: no contract, no method, bad days, terms not accepted', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const res = await submit(agent, [
      ['which', 'chosen'],
      ['days', '31'],
    ]);
    expect(res.status).toBe(400);
    for (const f of ['contract', 'method', 'days', 'terms']) expect(res.text).toContain(`href="#${f}"`);
    expect(text(res.text)).toContain('Accept the autopay terms to continue');
    expect(res.text).toContain('value="31"');
  });

  it('the worker pays each due invoice of an enrolled contract once and e-mails the result', async () => {
    const p = await createPayer(t);
    const [k1] = p.contracts;
    const [i1, , i3] = p.invoices;
    await t.deps.db('autopay_enrollments').insert({
      customer_id: p.customerId,
      contract_id: k1,
      payment_method_id: p.card,
      days_before_due: 3,
      accepted_terms_at: new Date(),
      created_by: p.userId,
    });
    await t.deps.autopay.run();
    await t.deps.autopay.run(); // a second run (or a second worker) pays nothing again
    // i1 (due 2026-11-01) is due; i3 (due 2026-12-01, paid from 2026-11-28) is not yet.
    const pays = await t.deps
      .db('payments')
      .where({ customer_id: p.customerId })
      .select('status', 'source', 'amount_minor');
    expect(pays).toEqual([{ status: 'settled', source: 'autopay', amount_minor: 1_000_00 }]);
    expect(await balances(t.deps.db, [i1!.id, i3!.id])).toEqual({
      [i1!.id]: { balance: 0, status: 'paid' },
      [i3!.id]: { balance: 2_000_00, status: 'open' },
    });
    expect(await t.deps.db('autopay_attempts').where({ invoice_id: i1!.id }).select('status')).toEqual([
      { status: 'submitted' },
    ]);
    await mailTo(p.email, 'Receipt for your payment of $1,000.00');
  });

  it('a declined autopay card: payment failed, invoice open, failure e-mail', async () => {
    const p = await createPayer(t);
    const [, k2] = p.contracts;
    const [, i2] = p.invoices;
    await t.deps.db('autopay_enrollments').insert({
      customer_id: p.customerId,
      contract_id: k2,
      payment_method_id: p.declined,
      days_before_due: 0,
      accepted_terms_at: new Date(),
      created_by: p.userId,
    });
    await t.deps.autopay.run();
    expect(await balances(t.deps.db, [i2!.id])).toEqual({ [i2!.id]: { balance: 500_00, status: 'open' } });
    const mail = await mailTo(p.email, 'Your payment of $500.00 did not go through');
    expect(mail.text).toContain('Card declined by the issuer');
  });

  it('403 without autopay.manage; 404 cancelling another customer’s contract', async () => {
    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    expect((await viewer.get('/autopay')).status).toBe(403);
    expect((await viewer.get('/autopay/new')).status).toBe(403);
    const mine = await createPayer(t);
    const other = await createPayer(t);
    await t.deps.db('autopay_enrollments').insert({
      customer_id: other.customerId,
      contract_id: other.contracts[0],
      payment_method_id: other.card,
      days_before_due: 0,
      accepted_terms_at: new Date(),
    });
    const agent = await signInAs(t, mine);
    const page = await agent.get('/autopay');
    expect(
      (
        await agent
          .post(`/autopay/${other.contracts[0]}/cancel`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text) })
      ).status,
    ).toBe(404);
    const bad = await submit(agent, [
      ['which', 'chosen'],
      ['contract', String(other.contracts[0])],
      ['method', String(other.card)],
      ['days', '1'],
      ['terms', 'accepted'],
    ]);
    expect(bad.status).toBe(400);
    expect(
      await t.deps
        .db('autopay_enrollments')
        .where({ contract_id: other.contracts[0], active: true })
        .count('* as n'),
    ).toEqual([{ n: 1 }]);
  });
});
