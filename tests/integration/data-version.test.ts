/**
 * The customer data version (migrations/20261129001000_customer_changes.ts) that lets Home and
 * the list pages keep figures per process: every committed write to a customer's data moves
 * it, whoever writes (the portal, the lessor's back office, a job), and nothing else does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import {
  createContract,
  createCustomer,
  createInvoice,
  createPayment,
  createScheduleLine,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { signIn, startApp, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const text = pageText;

async function version(db: Knex, customerId: number): Promise<number> {
  const row = (await db('customer_changes')
    .where({ customer_id: customerId })
    .first(db.raw('coalesce(sum(changes), 0)::int as v'))) as { v: number };
  return row.v;
}

describe('customer data version', () => {
  it('moves with every write to the customer data, and only that customer', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db);
    const other = await createCustomer(db);
    const k = await createContract(db, { customer_id: c.id, private_label_id: nw });
    const otherBefore = await version(db, other.id);

    let v = await version(db, c.id);
    const step = async (what: string, write: () => Promise<unknown>) => {
      await write();
      const next = await version(db, c.id);
      expect(next, what).toBeGreaterThan(v);
      v = next;
    };
    let invoiceId = 0;
    await step('invoice added', async () => {
      invoiceId = (
        await createInvoice(db, {
          customer_id: c.id,
          private_label_id: nw,
          contract_id: k.id,
          due_date: '2026-12-01',
          total_minor: 100_00,
        })
      ).id;
    });
    await step('invoice balance changed', () =>
      db('invoices').where({ id: invoiceId }).update({ balance_minor: 1 }),
    );
    await step('schedule line added (through its contract)', () =>
      createScheduleLine(db, {
        contract_id: k.id,
        seq: 1,
        due_date: '2026-12-01',
        balance_after_minor: 10,
      }),
    );
    await step('schedule line changed', () =>
      db('schedule_lines').where({ contract_id: k.id }).update({ balance_after_minor: 5 }),
    );
    await step('credit limit changed', () =>
      db('customers').where({ id: c.id }).update({ credit_limit_minor: 7 }),
    );
    await step('activity recorded', () =>
      db('activities').insert({ customer_id: c.id, private_label_id: nw, kind: 'note', subject: 'x' }),
    );
    await step('invoice deleted', () =>
      db('invoice_lines')
        .where({ invoice_id: invoiceId })
        .del()
        .then(() => db('invoices').where({ id: invoiceId }).del()),
    );

    // A write that matches no row, a rolled-back write and a read leave it alone.
    await db('invoices').where({ customer_id: c.id, id: -1 }).update({ balance_minor: 0 });
    await db
      .transaction(async (trx) => {
        await trx('customers').where({ id: c.id }).update({ credit_limit_minor: 8 });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await db('invoices').where({ customer_id: c.id });
    expect(await version(db, c.id)).toBe(v);
    expect(await version(db, other.id)).toBe(otherBefore);
  });

  it('keeps every sum when the job folds the rows', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db);
    const k = await createContract(db, { customer_id: c.id, private_label_id: nw });
    for (let i = 0; i < 3; i++)
      await createInvoice(db, {
        customer_id: c.id,
        private_label_id: nw,
        contract_id: k.id,
        due_date: '2026-12-01',
        total_minor: 100_00,
      });
    // Other test files write to the shared database meanwhile: look at this customer only.
    const mine = async () =>
      (await db('customer_changes')
        .where({ customer_id: c.id })
        .first(db.raw('sum(changes)::int as v'), db.raw('count(*)::int as n'))) as { v: number; n: number };
    const before = await mine();
    expect(before.n).toBeGreaterThan(1);
    await t.deps.customersRepo.compactChanges();
    expect(await mine()).toEqual({ v: before.v, n: 1 });
  });

  it('Home shows a change made outside the portal on the next visit', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db, { credit_limit_minor: 100_000_00 });
    const u = await createUser(db, { customer_id: c.id, role: 'portal_admin' });
    const k = await createContract(db, { customer_id: c.id, private_label_id: nw });
    const inv = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k.id,
      due_date: '2026-11-01',
      total_minor: 1_000_00,
    });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const home = async () => text((await agent.get('/').expect(200)).text);
    expect(await home()).toContain('Overdue $1,000.00');
    expect(await home()).toContain('Overdue $1,000.00'); // served again from the kept figures

    // The lessor's back office books a part payment and raises the credit limit.
    await db('invoices').where({ id: inv.id }).update({ balance_minor: 400_00, status: 'partially_paid' });
    expect(await home()).toContain('Overdue $400.00');
    await db('customers').where({ id: c.id }).update({ credit_limit_minor: 200_000_00 });
    expect(await home()).toContain('Total credit $200,000.00');
  });

  it('lists, their filters and report totals show a change made outside the portal at once', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db);
    const u = await createUser(db, { customer_id: c.id, role: 'portal_admin' });
    const k1 = await createContract(db, { customer_id: c.id, private_label_id: nw });
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k1.id,
      due_date: '2026-11-01',
      total_minor: 1_000_00,
    });
    await createPayment(db, {
      customer_id: c.id,
      private_label_id: nw,
      amount_minor: 10_00,
      status: 'settled',
    });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const get = async (path: string) => text((await agent.get(path).expect(200)).text);
    const visitAll = async () => ({
      invoices: await get('/invoices'),
      contracts: await get('/contracts'),
      payments: await get('/payments'),
      aging: await get('/reports/invoice-aging'),
    });
    let seen = await visitAll();
    seen = await visitAll(); // the second visit is served from what the first kept
    expect(seen.invoices).toContain('1 invoice matches; balance $1,000.00');
    expect(seen.contracts).toContain('1 contract.');
    expect(seen.payments).toContain('1 payment found.');
    expect(seen.aging).toMatch(/Total \(1 row\) USD .*\$1,000\.00/);

    // The back office books a new contract, bills it, and records a payment.
    const k2 = await createContract(db, { customer_id: c.id, private_label_id: nw });
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k2.id,
      due_date: '2026-11-02',
      total_minor: 500_00,
    });
    await createPayment(db, {
      customer_id: c.id,
      private_label_id: nw,
      amount_minor: 20_00,
      status: 'settled',
    });
    seen = await visitAll();
    expect(seen.invoices).toContain('2 invoices match; balance $1,500.00');
    expect(seen.contracts).toContain('2 contracts.');
    expect(seen.payments).toContain('2 payments found.');
    expect(seen.aging).toMatch(/Total \(2 rows\) USD .*\$1,500\.00/);
    // The new contract is a choice of the invoice list's contract filter at once.
    expect((await agent.get('/invoices').expect(200)).text).toContain(`>${k2.number}</option>`);
  });
});
