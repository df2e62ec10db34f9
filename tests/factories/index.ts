/**
 * Factories: buildX returns a row object, createX(db, overrides) inserts it and returns it
 * with its id. Every customer gets a unique number, so tests never collide on shared data.
 */
import type { Knex } from 'knex';
import { hash, type Algorithm } from '@node-rs/argon2';

let seq = 0;
const uniq = (): string => `${process.pid}${Date.now().toString(36)}${(seq++).toString(36)}`.toUpperCase();

let hashCache: Promise<string> | undefined;
export const FACTORY_PASSWORD = 'Factory-Password-2026';
const passwordHash = (): Promise<string> =>
  (hashCache ??= hash(FACTORY_PASSWORD, { algorithm: 2 as Algorithm }));

export async function labelId(db: Knex, code: string): Promise<number> {
  const row = (await db('private_labels').where({ code }).first('id')) as { id: number } | undefined;
  if (!row) throw new Error(`no label ${code}`);
  return row.id;
}

export async function createCustomer(
  db: Knex,
  o: Partial<{ name: string; primary_currency: string; credit_limit_minor: number; status: string }> = {},
) {
  const number = `T-${uniq()}`;
  const [row] = (await db('customers')
    .insert({
      number,
      name: o.name ?? `Test Customer ${number}`,
      primary_currency: o.primary_currency ?? 'USD',
      credit_limit_minor: o.credit_limit_minor ?? 100_000_00,
      status: o.status ?? 'active',
    })
    .returning(['id', 'number', 'name'])) as { id: number; number: string; name: string }[];
  return row!;
}

export async function createUser(
  db: Knex,
  o: {
    customer_id: number | null;
    role?: string;
    permissions?: string[];
    status?: string;
    email?: string;
    name?: string;
  },
) {
  const email = o.email ?? `user-${uniq().toLowerCase()}@test.example`;
  const [row] = (await db('users')
    .insert({
      email,
      name: o.name ?? 'Test User',
      role: o.role ?? 'user',
      customer_id: o.customer_id,
      permissions: o.permissions ?? [],
      status: o.status ?? 'active',
      password_hash: await passwordHash(),
    })
    .returning(['id', 'email'])) as { id: number; email: string }[];
  return row!;
}

export async function createContract(
  db: Knex,
  o: {
    customer_id: number;
    private_label_id: number;
    start_date?: string;
    status?: string;
    product?: string;
    currency?: string;
    financed_amount_minor?: number;
  },
) {
  const number = `TC-${uniq()}`;
  const [row] = (await db('contracts')
    .insert({
      number,
      customer_id: o.customer_id,
      private_label_id: o.private_label_id,
      product: o.product ?? 'fmv',
      status: o.status ?? 'active',
      description: 'Test forklift',
      start_date: o.start_date ?? '2025-01-01',
      end_date: '2027-12-31',
      term_months: 36,
      frequency: 'monthly',
      payments_in_advance: true,
      periodic_rent_minor: 1_000_00,
      currency: o.currency ?? 'USD',
      financed_amount_minor: o.financed_amount_minor ?? 30_000_00,
      residual_minor: 3_000_00,
      rate: '0.080000',
      security_deposit_minor: 0,
      tax_rate: '0.06000',
    })
    .returning(['id', 'number'])) as { id: number; number: string }[];
  return row!;
}

export async function createScheduleLine(
  db: Knex,
  o: { contract_id: number; seq: number; due_date: string; balance_after_minor: number },
) {
  await db('schedule_lines').insert({
    contract_id: o.contract_id,
    seq: o.seq,
    due_date: o.due_date,
    rent_minor: 1_000_00,
    tax_minor: 60_00,
    principal_minor: 800_00,
    interest_minor: 200_00,
    balance_after_minor: o.balance_after_minor,
  });
}

export async function createInvoice(
  db: Knex,
  o: {
    customer_id: number;
    private_label_id: number;
    contract_id: number;
    due_date: string;
    total_minor: number;
    balance_minor?: number;
    currency?: string;
    status?: string;
  },
) {
  const balance = o.balance_minor ?? o.total_minor;
  const status = o.status ?? (balance === 0 ? 'paid' : balance < o.total_minor ? 'partially_paid' : 'open');
  const [row] = (await db('invoices')
    .insert({
      number: `TI-${uniq()}`,
      customer_id: o.customer_id,
      private_label_id: o.private_label_id,
      issue_date: o.due_date,
      due_date: o.due_date,
      currency: o.currency ?? 'USD',
      total_minor: o.total_minor,
      balance_minor: balance,
      status,
    })
    .returning(['id', 'number'])) as { id: number; number: string }[];
  await db('invoice_lines').insert({
    invoice_id: row!.id,
    contract_id: o.contract_id,
    kind: 'rent',
    description: 'Rent',
    amount_minor: o.total_minor,
  });
  return row!;
}

export async function createPayment(
  db: Knex,
  o: {
    customer_id: number;
    private_label_id: number;
    amount_minor: number;
    status: string;
    settled_at?: string | null;
    initiated_at?: string;
    currency?: string;
  },
) {
  const [row] = (await db('payments')
    .insert({
      customer_id: o.customer_id,
      private_label_id: o.private_label_id,
      amount_minor: o.amount_minor,
      currency: o.currency ?? 'USD',
      status: o.status,
      initiated_at: o.initiated_at ?? '2026-11-01T15:00:00Z',
      settled_at: o.settled_at ?? null,
      idempotency_key: `test-${uniq()}`,
    })
    .returning(['id'])) as { id: number }[];
  return row!;
}
