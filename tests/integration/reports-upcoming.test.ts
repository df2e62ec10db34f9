/**
 * Upcoming payments is the lessee's cash plan: only what is still to pay. Periods of paid-off or
 * terminated contracts and periods whose invoice is already paid (autopay, an early payment) or
 * void stay out; unbilled periods and billed, unpaid ones stay in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContract,
  createCustomer,
  createInvoice,
  createScheduleLine,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { signIn, startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

describe('Upcoming payments', () => {
  it('lists only periods still to pay', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db);
    const active = await createContract(db, { customer_id: c.id, private_label_id: nw });
    const paidOff = await createContract(db, { customer_id: c.id, private_label_id: nw, status: 'paid_off' });
    const terminated = await createContract(db, {
      customer_id: c.id,
      private_label_id: nw,
      status: 'terminated',
    });
    // Active: Dec unbilled, Jan billed and open, Feb billed and already paid (autopay in advance).
    await createScheduleLine(db, {
      contract_id: active.id,
      seq: 1,
      due_date: '2026-12-10',
      balance_after_minor: 3,
    });
    await createScheduleLine(db, {
      contract_id: active.id,
      seq: 2,
      due_date: '2027-01-10',
      balance_after_minor: 2,
    });
    await createScheduleLine(db, {
      contract_id: active.id,
      seq: 3,
      due_date: '2027-02-10',
      balance_after_minor: 1,
    });
    const open = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: active.id,
      due_date: '2027-01-10',
      total_minor: 1_060_00,
    });
    const paid = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: active.id,
      due_date: '2027-02-10',
      total_minor: 1_060_00,
      balance_minor: 0,
    });
    await db('schedule_lines').where({ contract_id: active.id, seq: 2 }).update({ invoice_id: open.id });
    await db('schedule_lines').where({ contract_id: active.id, seq: 3 }).update({ invoice_id: paid.id });
    for (const k of [paidOff, terminated])
      await createScheduleLine(db, {
        contract_id: k.id,
        seq: 1,
        due_date: '2026-12-20',
        balance_after_minor: 1,
      });

    const u = await createUser(db, { customer_id: c.id, role: 'portal_admin' });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const csv = (await agent.get('/reports/upcoming-payments?months=6&format=csv').expect(200)).text;
    const rows = csv
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .filter((r) => /^\d{4}-/.test(r));
    const dates = rows.map((r) => r.split(',')[0]).sort();
    expect(dates).toEqual(['2026-12-10', '2027-01-10']);
    expect(csv).toContain(active.number);
    expect(csv).not.toContain(paidOff.number);
    expect(csv).not.toContain(terminated.number);
  });
});
