/** A customer of our own with invoices and sandbox payment methods, for exact figures. */
import type { Knex } from 'knex';
import {
  createContract,
  createCustomer,
  createInvoice,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { expect } from 'vitest';
import { csrfFrom, signIn, type Agent, type TestApp, pageText } from '../helpers/app.ts';

export const ALL = ['invoices.view', 'payments.make', 'autopay.manage', 'contracts.view'];

export async function createMethod(
  db: Knex,
  customerId: number,
  o: { kind?: 'card' | 'ach'; outcome?: 'ok' | 'dc' | 'nf' | 'rt'; last4?: string; isDefault?: boolean } = {},
): Promise<number> {
  const kind = o.kind ?? 'card';
  const [row] = (await db('payment_methods')
    .insert({
      customer_id: customerId,
      kind,
      gateway: 'sandbox',
      gateway_token: `tok_sbx_${kind}_${o.outcome ?? 'ok'}_${Math.random().toString(16).slice(2)}`,
      brand: kind === 'card' ? 'Visa' : null,
      last4: o.last4 ?? (kind === 'card' ? '4242' : '6789'),
      exp_month: kind === 'card' ? 12 : null,
      exp_year: kind === 'card' ? 2030 : null,
      bank_name: kind === 'ach' ? 'Sandbox Test Bank' : null,
      is_default: o.isDefault ?? false,
    })
    .returning('id')) as { id: number }[];
  return row!.id;
}

export interface Payer {
  customerId: number;
  labelId: number;
  contracts: number[];
  invoices: { id: number; number: string }[];
  card: number;
  declined: number;
  ach: number;
  achReturned: number;
  email: string;
  userId: number;
}

/**
 * Two contracts; invoices: 1,000.00 overdue (k1), 500.00 overdue (k2), 2,000.00 due later (k1).
 */
export async function createPayer(t: TestApp, permissions = ALL, label = 'northwind'): Promise<Payer> {
  const db = t.deps.db;
  const lid = await labelId(db, label);
  const c = await createCustomer(db);
  const u = await createUser(db, { customer_id: c.id, permissions });
  const k1 = await createContract(db, { customer_id: c.id, private_label_id: lid });
  const k2 = await createContract(db, { customer_id: c.id, private_label_id: lid });
  const i1 = await createInvoice(db, {
    customer_id: c.id,
    private_label_id: lid,
    contract_id: k1.id,
    due_date: '2026-11-01',
    total_minor: 1_000_00,
  });
  const i2 = await createInvoice(db, {
    customer_id: c.id,
    private_label_id: lid,
    contract_id: k2.id,
    due_date: '2026-11-10',
    total_minor: 500_00,
  });
  const i3 = await createInvoice(db, {
    customer_id: c.id,
    private_label_id: lid,
    contract_id: k1.id,
    due_date: '2026-12-01',
    total_minor: 2_000_00,
  });
  return {
    customerId: c.id,
    labelId: lid,
    contracts: [k1.id, k2.id],
    invoices: [i1, i2, i3],
    card: await createMethod(db, c.id, { isDefault: true }),
    declined: await createMethod(db, c.id, { outcome: 'dc', last4: '0002' }),
    ach: await createMethod(db, c.id, { kind: 'ach' }),
    achReturned: await createMethod(db, c.id, { kind: 'ach', outcome: 'rt', last4: '0002' }),
    email: u.email,
    userId: u.id,
  };
}

export async function signInAs(t: TestApp, p: Payer) {
  const { agent } = await signIn(t.app, p.email, FACTORY_PASSWORD);
  return agent;
}

export async function balances(
  db: Knex,
  ids: number[],
): Promise<Record<number, { balance: number; status: string }>> {
  const rows = (await db('invoices').whereIn('id', ids).select('id', 'balance_minor', 'status')) as {
    id: number;
    balance_minor: number;
    status: string;
  }[];
  return Object.fromEntries(rows.map((r) => [r.id, { balance: Number(r.balance_minor), status: r.status }]));
}

/* The paying journey, step by step (form, review, confirm). */
export const text = pageText;

export function form(fields: [string, string][]): string {
  return new URLSearchParams(fields).toString();
}

/** Fills the payment form and returns the response of its POST. */
export async function choose(agent: Agent, fields: [string, string][]) {
  const page = await agent.get('/payments/new');
  return agent
    .post('/payments/new')
    .type('form')
    .send(form([['_csrf', csrfFrom(page.text)], ...fields]));
}

/** The review page's hidden fields, in order (the confirmation form). */
export function hidden(html: string): [string, string][] {
  const confirmForm = html.slice(html.indexOf('action="/payments/confirm"'));
  return [...confirmForm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
    m[1]!,
    m[2]!,
  ]);
}

export async function reviewAndConfirm(agent: Agent, location: string) {
  const review = await agent.get(location);
  expect(review.status).toBe(200);
  const fields = hidden(review.text);
  const res = await agent.post('/payments/confirm').type('form').send(form(fields));
  return { review, fields, res };
}

export async function pay(agent: Agent, p: Payer, fields: [string, string][]) {
  const chosen = await choose(agent, fields);
  expect(chosen.status, text(chosen.text).slice(0, 400)).toBe(303);
  const { res, fields: hiddenFields } = await reviewAndConfirm(agent, chosen.headers.location!);
  expect(res.status).toBe(303);
  const id = Number(/\/payments\/(\d+)$/.exec(res.headers.location!)![1]);
  return { id, fields: hiddenFields };
}
