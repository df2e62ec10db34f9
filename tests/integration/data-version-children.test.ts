/**
 * The data version counts writes to rows that reach their customer through a parent (invoice
 * lines, allocations, comments, report runs…) and to report schedules and the audit log
 * (migrations/20261204000200_tracked_children.ts): a kept figure built from them is rebuilt on
 * the next visit, whoever wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import {
  createContract,
  createCustomer,
  createInvoice,
  createPayment,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { createAsset, createLocationChangeRequest } from '../factories/assets.ts';
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

const idOf = async (q: Knex.QueryBuilder): Promise<number> =>
  ((await q.returning('id')) as { id: number }[])[0]!.id;

describe('data version of rows under a parent', () => {
  it("an invoice line moved from contract A to B: A's kept page no longer shows it past due", async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db);
    const u = await createUser(db, { customer_id: c.id, role: 'portal_admin' });
    const a = await createContract(db, { customer_id: c.id, private_label_id: nw });
    const b = await createContract(db, { customer_id: c.id, private_label_id: nw });
    const inv = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: a.id,
      due_date: '2026-11-01',
      total_minor: 1_000_00,
    });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const page = async (id: number) => text((await agent.get(`/contracts/${id}`).expect(200)).text);
    expect(await page(a.id)).toContain('$1,000.00 past due');
    expect(await page(a.id)).toContain('$1,000.00 past due'); // served from what the first visit kept
    expect(await page(b.id)).not.toContain('past due');

    // The back office moves the line to contract B.
    await db('invoice_lines').where({ invoice_id: inv.id }).update({ contract_id: b.id });
    expect(await page(a.id)).not.toContain('past due');
    expect(await page(b.id)).toContain('$1,000.00 past due');
  });

  it("every insert, update and delete of a child row moves its customer's version, and no one else's", async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db);
    const other = await createCustomer(db);
    const u = await createUser(db, { customer_id: c.id, role: 'portal_admin' });
    const k = await createContract(db, { customer_id: c.id, private_label_id: nw });
    const inv = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k.id,
      due_date: '2026-12-01',
      total_minor: 100_00,
    });
    const inv2 = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k.id,
      due_date: '2026-12-02',
      total_minor: 100_00,
    });
    const pay = await createPayment(db, {
      customer_id: c.id,
      private_label_id: nw,
      amount_minor: 100_00,
      status: 'pending',
    });
    const method = await idOf(
      db('payment_methods').insert({
        customer_id: c.id,
        kind: 'ach',
        gateway_token: 'tok_dv',
        last4: '6789',
      }),
    );
    const enrollment = await idOf(
      db('autopay_enrollments').insert({
        customer_id: c.id,
        contract_id: k.id,
        payment_method_id: method,
        accepted_terms_at: '2026-11-01T00:00:00Z',
      }),
    );
    const sr = await idOf(
      db('service_requests').insert({
        number: `SR-DV-${c.id}`,
        customer_id: c.id,
        private_label_id: nw,
        category: 'general',
        subject: 'x',
        description: 'x',
      }),
    );
    const asset = await createAsset(db, { customer_id: c.id, contract_id: k.id, private_label_id: nw });
    const asset2 = await createAsset(db, { customer_id: c.id, contract_id: k.id, private_label_id: nw });
    const lcr = await createLocationChangeRequest(db, {
      customer_id: c.id,
      private_label_id: nw,
      asset_ids: [asset.id],
      requested_by: u.id,
    });
    const schedule = {
      customer_id: c.id,
      private_label_id: nw,
      owner_user_id: u.id,
      name: 'x',
      report_type: 'invoice-aging',
      frequency: 'daily',
      time_zone: 'UTC',
    };
    const reportSchedule = await idOf(db('report_schedules').insert(schedule));

    const otherBefore = await version(db, other.id);
    let v = await version(db, c.id);
    const moves = async (what: string, write: () => Promise<unknown>) => {
      await write();
      const next = await version(db, c.id);
      expect(next, what).toBeGreaterThan(v);
      v = next;
    };
    /** Insert, update and delete one row of `table` through the given row and change. */
    const crud = async (table: string, row: Record<string, unknown>, change: Record<string, unknown>) => {
      let id = 0;
      await moves(`${table} insert`, async () => {
        id = await idOf(db(table).insert(row));
      });
      await moves(`${table} update`, () => db(table).where({ id }).update(change));
      await moves(`${table} delete`, () => db(table).where({ id }).del());
    };

    await crud(
      'invoice_lines',
      { invoice_id: inv.id, contract_id: k.id, kind: 'fee', description: 'Fee', amount_minor: 1 },
      { amount_minor: 2 },
    );
    await crud(
      'payment_allocations',
      { payment_id: pay.id, invoice_id: inv.id, amount_minor: 1 },
      { amount_minor: 2 },
    );
    await crud('payment_status_history', { payment_id: pay.id, status: 'pending' }, { note: 'x' });
    await crud('autopay_attempts', { enrollment_id: enrollment, invoice_id: inv2.id }, { note: 'x' });
    await crud('service_request_comments', { service_request_id: sr, body: 'x' }, { body: 'y' });
    await crud(
      'location_change_request_events',
      { request_id: lcr.id, status: 'in_review' },
      { comment: 'x' },
    );
    await crud(
      'asset_location_history',
      { asset_id: asset.id, city: 'Tulsa', effective_date: '2026-12-01' },
      { city: 'Dallas' },
    );
    await crud('report_schedules', schedule, { name: 'y' });
    await crud('report_runs', { schedule_id: reportSchedule, period_key: '2026-11-16' }, { status: 'built' });
    // location_change_request_assets has no id of its own.
    await moves('location_change_request_assets insert', () =>
      db('location_change_request_assets').insert({ request_id: lcr.id, asset_id: asset2.id }),
    );
    await moves('location_change_request_assets delete', () =>
      db('location_change_request_assets').where({ request_id: lcr.id, asset_id: asset2.id }).del(),
    );
    // The audit log is append-only: rows naming the customer move it.
    await moves('audit_log insert', () =>
      db('audit_log').insert({ acting_customer_id: c.id, action: 'test.version', entity_type: 'test' }),
    );

    expect(await version(db, other.id)).toBe(otherBefore);
  });

  it('moves both customers when a child row moves from one parent to another', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const [c1, c2] = [await createCustomer(db), await createCustomer(db)];
    const k1 = await createContract(db, { customer_id: c1.id, private_label_id: nw });
    const k2 = await createContract(db, { customer_id: c2.id, private_label_id: nw });
    const invoice = (customerId: number, contractId: number) =>
      createInvoice(db, {
        customer_id: customerId,
        private_label_id: nw,
        contract_id: contractId,
        due_date: '2026-12-01',
        total_minor: 100_00,
      });
    const [i1, i2] = [await invoice(c1.id, k1.id), await invoice(c2.id, k2.id)];
    const before = [await version(db, c1.id), await version(db, c2.id)];
    await db('invoice_lines').where({ invoice_id: i1.id }).update({ invoice_id: i2.id });
    expect(await version(db, c1.id)).toBeGreaterThan(before[0]!);
    expect(await version(db, c2.id)).toBeGreaterThan(before[1]!);
  });
});
