/**
 * Superseded payoff quotes (docs/domain.md "Payoff quote": a payment or late fee posted after a quote marks
 * it superseded), with hand-made quotes, invoices and payments: shown as superseded (worked out
 * when read: a GET writes nothing), and neither a superseded nor an expired quote is e-mailed as valid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContract,
  createCustomer,
  createInvoice,
  createPayment,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let user: { id: number; email: string };
let customerId: number;
let nw: number;
const q: Record<string, number> = {};

const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

const BEFORE = '2026-11-10T12:00:00Z'; // the quotes are created here
const AFTER = '2026-11-12T12:00:00Z';
const EARLIER = '2026-11-09T12:00:00Z';

async function quote(contractId: number, o: { validUntil?: string } = {}): Promise<number> {
  const [row] = (await t.deps
    .db('payoff_quotes')
    .insert({
      number: `PQ-SUP-${contractId}-${Math.random().toString(36).slice(2)}`,
      customer_id: customerId,
      private_label_id: nw,
      contract_id: contractId,
      quote_date: '2026-11-10',
      payoff_date: '2026-11-30',
      valid_until: o.validUntil ?? '2026-11-30',
      total_minor: 12_345_00,
      currency: 'USD',
      status: 'issued',
      breakdown: JSON.stringify({
        currency: 'USD',
        lines: [{ code: 'remaining', label: 'Remaining rents', amountMinor: 12_345_00 }],
        totalMinor: 12_345_00,
      }),
      created_at: BEFORE,
    })
    .returning('id')) as { id: number }[];
  return row!.id;
}

async function lateFee(contractId: number, at: string) {
  const inv = await createInvoice(t.deps.db, {
    customer_id: customerId,
    private_label_id: nw,
    contract_id: contractId,
    due_date: '2026-11-01',
    total_minor: 1_000_00,
  });
  await t.deps.db('invoice_lines').insert({
    invoice_id: inv.id,
    contract_id: contractId,
    kind: 'late_fee',
    description: 'Late fee',
    amount_minor: 50_00,
    created_at: at,
  });
}

async function payment(contractId: number, status: string, at: string) {
  const db = t.deps.db;
  const inv = await createInvoice(db, {
    customer_id: customerId,
    private_label_id: nw,
    contract_id: contractId,
    due_date: '2026-11-01',
    total_minor: 1_000_00,
  });
  // Invoice lines made before the quote: only the payment is new.
  await db('invoice_lines').where({ invoice_id: inv.id }).update({ created_at: EARLIER });
  const p = await createPayment(db, {
    customer_id: customerId,
    private_label_id: nw,
    amount_minor: 1_000_00,
    status,
    initiated_at: at,
    settled_at: status === 'settled' ? at : null,
  });
  await db('payment_allocations').insert({
    payment_id: p.id,
    invoice_id: inv.id,
    amount_minor: 1_000_00,
    created_at: at,
  });
}

const status = async (id: number): Promise<string> =>
  ((await t.deps.db('payoff_quotes').where({ id }).first('status')) as { status: string }).status;

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  nw = await labelId(db, 'northwind');
  const me = await createCustomer(db, { name: 'Superseded Quotes Co' });
  customerId = me.id;
  user = await createUser(db, { customer_id: me.id, permissions: ['contracts.view', 'payoff.request'] });
  const contract = async () => (await createContract(db, { customer_id: me.id, private_label_id: nw })).id;
  const [a, b, c, d, e] = [
    await contract(),
    await contract(),
    await contract(),
    await contract(),
    await contract(),
  ];
  q.lateFee = await quote(a);
  await lateFee(a, AFTER);
  q.payment = await quote(b);
  await payment(b, 'settled', AFTER);
  // Still valid: an unsettled payment after it, a late fee and a settled payment before it.
  q.valid = await quote(c);
  await payment(c, 'in_progress', AFTER);
  await lateFee(c, EARLIER);
  await payment(c, 'settled', EARLIER);
  // Expired: valid until the day before the test date (2026-11-16).
  q.expired = await quote(d, { validUntil: '2026-11-15' });
  q.untouched = await quote(e);
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});
afterAll(async () => {
  await t.close();
});

describe('superseded quotes', () => {
  it('lists a quote with a later late fee or settled payment as superseded', async () => {
    expect(await status(q.lateFee!)).toBe('issued');
    const list = await agent.get('/payoff-quotes');
    expect(list.status).toBe(200);
    const row = (id: number) => new RegExp(`href="/payoff-quotes/${id}"[\\s\\S]*?</tr>`).exec(list.text)![0];
    expect(text(row(q.lateFee!))).toContain('Superseded');
    expect(text(row(q.payment!))).toContain('Superseded');
    expect(text(row(q.valid!))).toContain('Issued');
    expect(text(row(q.expired!))).toContain('Expired');
    expect(text(row(q.untouched!))).toContain('Issued');
  });

  it('writes nothing on a GET of the quote pages, which still show the quote superseded', async () => {
    const db = t.deps.db;
    const contractId = (
      (await db('payoff_quotes').where({ id: q.lateFee }).first('contract_id')) as { contract_id: number }
    ).contract_id;
    // xmin moves with every UPDATE of a row, even one that sets the same values.
    const rows = () =>
      db('payoff_quotes')
        .where({ customer_id: customerId })
        .orderBy('id')
        .select('id', 'status', db.raw('xmin::text as xmin'));
    const version = async () =>
      (
        (await db('customer_changes')
          .where({ customer_id: customerId })
          .first(db.raw('coalesce(sum(changes), 0)::text as v'))) as { v: string }
      ).v;
    const [rowsBefore, versionBefore] = [await rows(), await version()];
    expect(rowsBefore.find((r) => r.id === q.lateFee)).toMatchObject({ status: 'issued' });

    const list = await agent.get('/payoff-quotes').expect(200);
    const show = await agent.get(`/payoff-quotes/${q.lateFee}`).expect(200);
    await agent.get(`/payoff-quotes/${q.payment}.pdf`).expect(200);
    const contract = await agent.get(`/contracts/${contractId}`).expect(200);
    expect(text(list.text)).toContain('Superseded');
    expect(text(show.text)).toContain('This quote is superseded');
    expect(text(contract.text)).toContain('Superseded');

    expect(await rows()).toEqual(rowsBefore);
    expect(await version()).toBe(versionBefore);
  });

  it('shows why on the quote page, with a link to request a new one and no e-mail button', async () => {
    const page = await agent.get(`/payoff-quotes/${q.payment}`);
    expect(page.status).toBe(200);
    expect(text(page.text)).toContain('This quote is superseded: a payment or late fee was posted');
    const contractId = (
      (await t.deps.db('payoff_quotes').where({ id: q.payment }).first('contract_id')) as {
        contract_id: number;
      }
    ).contract_id;
    expect(page.text).toContain(`href="/contracts/${contractId}/payoff-quotes/new"`);
    expect(page.text).not.toContain(`action="/payoff-quotes/${q.payment}/email"`);
  });

  it('refuses to e-mail a superseded or expired quote (409, clear message, nothing queued)', async () => {
    const token = csrfFrom((await agent.get(`/payoff-quotes/${q.valid}`)).text);
    for (const [id, msg] of [
      [q.lateFee!, 'This quote is superseded'],
      [q.expired!, 'This quote has expired'],
    ] as const) {
      const res = await agent.post(`/payoff-quotes/${id}/email`).type('form').send({ _csrf: token });
      expect(res.status).toBe(409);
      expect(text(res.text)).toContain(msg);
      expect(text(res.text)).toContain('cannot be e-mailed as a valid quote');
      expect(res.text).toContain('/payoff-quotes/new"');
    }
    expect(await t.deps.db('email_outbox').where({ to_address: user.email })).toHaveLength(0);
    // A still-valid quote is e-mailed.
    const ok = await agent.post(`/payoff-quotes/${q.valid}/email`).type('form').send({ _csrf: token });
    expect(ok.status).toBe(303);
    expect(await t.deps.db('email_outbox').where({ to_address: user.email })).toHaveLength(1);
  });

  it('marks it on the contract page too', async () => {
    await t.deps.db('payoff_quotes').where({ id: q.untouched }).update({ status: 'issued' });
    const contractId = (
      (await t.deps.db('payoff_quotes').where({ id: q.untouched }).first('contract_id')) as {
        contract_id: number;
      }
    ).contract_id;
    await lateFee(contractId, AFTER);
    const page = await agent.get(`/contracts/${contractId}`);
    expect(page.status).toBe(200);
    expect(text(page.text)).toContain('Superseded');
    expect(await status(q.untouched!)).toBe('issued'); // shown, not written
  });
});
