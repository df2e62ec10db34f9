import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('Home figures (hand-made customer, today = 2026-11-16)', () => {
  it('shows overdue with days, next due, total, payments, credit and flags overdue contracts', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const maple = await labelId(db, 'maple');
    const c = await createCustomer(db, { credit_limit_minor: 500_000_00 });
    const u = await createUser(db, { customer_id: c.id, role: 'portal_admin', name: 'Hana Test' });
    const k1 = await createContract(db, {
      customer_id: c.id,
      private_label_id: nw,
      start_date: '2025-06-01',
      financed_amount_minor: 100_000_00,
    });
    const k2 = await createContract(db, {
      customer_id: c.id,
      private_label_id: nw,
      start_date: '2026-01-01',
      financed_amount_minor: 50_000_00,
    });
    // k1's last period due by today leaves 80,000.00; k2 has no period due yet → its financed 50,000.00.
    await createScheduleLine(db, {
      contract_id: k1.id,
      seq: 1,
      due_date: '2026-10-01',
      balance_after_minor: 81_000_00,
    });
    await createScheduleLine(db, {
      contract_id: k1.id,
      seq: 2,
      due_date: '2026-11-01',
      balance_after_minor: 80_000_00,
    });
    await createScheduleLine(db, {
      contract_id: k1.id,
      seq: 3,
      due_date: '2026-12-01',
      balance_after_minor: 79_000_00,
    });
    await createScheduleLine(db, {
      contract_id: k2.id,
      seq: 1,
      due_date: '2026-12-15',
      balance_after_minor: 49_000_00,
    });
    // Overdue: 1,060.00 due Sep 2 (75 days) + 500.00 left of 1,060.00 due Nov 1 (15 days) = 1,560.00
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k1.id,
      due_date: '2026-09-02',
      total_minor: 1_060_00,
    });
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k1.id,
      due_date: '2026-11-01',
      total_minor: 1_060_00,
      balance_minor: 500_00,
    });
    // Next due: 1,060.00 due today + 2,000.00 due Dec 15 = 3,060.00
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k2.id,
      due_date: '2026-11-16',
      total_minor: 1_060_00,
    });
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k2.id,
      due_date: '2026-12-15',
      total_minor: 2_000_00,
    });
    // Not counted: paid, void, and another label's invoice.
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k2.id,
      due_date: '2026-08-01',
      total_minor: 999_00,
      balance_minor: 0,
    });
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: k2.id,
      due_date: '2026-08-01',
      total_minor: 777_00,
      status: 'void',
    });
    const km = await createContract(db, { customer_id: c.id, private_label_id: maple, currency: 'CAD' });
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: maple,
      contract_id: km.id,
      due_date: '2026-07-01',
      total_minor: 12_345_00,
      currency: 'CAD',
    });
    await createPayment(db, {
      customer_id: c.id,
      private_label_id: nw,
      amount_minor: 560_00,
      status: 'settled',
      settled_at: '2026-11-10T14:00:00Z',
    });
    await createPayment(db, {
      customer_id: c.id,
      private_label_id: nw,
      amount_minor: 100_00,
      status: 'settled',
      settled_at: '2026-10-10T14:00:00Z',
    });
    await createPayment(db, {
      customer_id: c.id,
      private_label_id: nw,
      amount_minor: 1_060_00,
      status: 'in_progress',
    });

    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const page = text((await agent.get('/')).text);
    expect(page).toContain('Overdue $1,560.00 (75 days)');
    expect(page).toContain('$3,060.00'); // next due
    expect(page).toContain('Total due $4,620.00');
    expect(page).toContain('Last payment: $560.00');
    expect(page).toMatch(/In progress \$1,060\.00 payment/);
    expect(page).toContain('Payments in progress: $1,060.00');
    // Used = 80,000.00 + 50,000.00 principal + 4,620.00 open = 134,620.00 under Northwind, plus the
    // customer's Maple exposure (CAD 30,000.00 principal + CAD 12,345.00 open = CAD 42,345.00 at the
    // seeded CAD→USD rate = 30,594.26): exposure is the customer's, whichever brand shows it.
    expect(page).toContain('Total credit $500,000.00');
    expect(page).toContain('Used $165,214.26');
    expect(page).toContain('Available $334,785.74');
    expect(page).toContain(`${k1.number}`);
    expect(page).toMatch(new RegExp(`${k1.number} .*?Overdue 75 days`));
    expect(page).not.toContain('12,345.00'); // the maple invoice itself stays out of the northwind session

    // Credit corner in EUR at the latest USD→EUR rate on file.
    const rate = (await db('exchange_rates')
      .where({ from_currency: 'USD', to_currency: 'EUR' })
      .where('as_of', '<=', '2026-11-16')
      .orderBy('as_of', 'desc')
      .first('rate', 'as_of')) as { rate: string; as_of: string };
    const eur = text((await agent.get('/?currency=EUR')).text);
    const expected = Math.round(500_000_00 * Number(rate.rate));
    const fmt = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: 'EUR',
      currencyDisplay: 'narrowSymbol',
    }).format(expected / 100);
    expect(eur).toContain(`Total credit ${fmt}`);
    expect(eur).toContain('Shown in EUR');
    // A currency the label does not allow falls back to the primary one.
    expect(text((await agent.get('/?currency=XYZ')).text)).toContain('Total credit $500,000.00');
  });

  it('shows zeros and empty states for a customer with nothing', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id, role: 'portal_admin' });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const page = text((await agent.get('/')).text);
    expect(page).toContain('Overdue $0.00');
    expect(page).toContain('No settled payments yet.');
    expect(page).toContain('No contracts yet.');
    expect(page).toContain('No activity yet.');
  });
});

describe('roles and menus', () => {
  it('hides menu items and cards the user lacks permission for', async () => {
    const { agent } = await signIn(t.app, 'viewer@acme.example');
    const html = (await agent.get('/')).text;
    expect(html).toContain('href="/invoices"');
    expect(html).toContain('href="/contracts"');
    expect(html).not.toContain('href="/assets"');
    expect(html).not.toContain('href="/admin/users"');
    expect(html).not.toContain('Make Payment');
  });

  it('shows Admin to portal admins', async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    const html = (await agent.get('/')).text;
    expect(html).toContain('href="/admin/users"');
    expect(html).toContain('Quick Actions');
  });

  it('refuses the customer switcher to a lessee (403)', async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    expect((await agent.get('/customers/switch')).status).toBe(403);
  });
});
