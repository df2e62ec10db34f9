import { describe, expect, it } from 'vitest';
import { generateDemo, type DemoData } from '../../seeds/generate.ts';
import { DEMO_LOGINS, DEMO_PASSWORD, demoLoginsTable } from '../../seeds/demo.ts';
import {
  amortise,
  applyRate,
  dueDates,
  levelPayment,
  payoff,
  periodicRate,
  periodsIn,
} from '../../seeds/schedule.ts';
import { daysBetween } from '../../src/lib/clock.ts';

const AS_OF = '2026-11-16';
type R = Record<string, unknown>;
const gen = (o: Partial<{ asOf: string; scale: number; seed: number }> = {}): DemoData =>
  generateDemo({
    asOf: o.asOf ?? AS_OF,
    scale: o.scale ?? 1,
    seed: o.seed ?? 20261116,
    passwordHash: 'not-a-real-hash',
  });

describe('schedule arithmetic (hand-computed figures)', () => {
  it('applies a tax rate exactly, rounding half up to the minor unit', () => {
    expect(applyRate(1_234_55, '0.06000')).toBe(74_07); // 74.073
    expect(applyRate(1_000_04, '0.08875')).toBe(88_75); // 88.753 55
    expect(applyRate(25, '0.06')).toBe(2); // 1.5 → 2
    expect(applyRate(1_000_00, '0.06250')).toBe(62_50);
    expect(applyRate(0, '0.13000')).toBe(0);
  });

  it('counts periods and per-period rates by frequency', () => {
    expect(periodsIn(48, 'quarterly')).toBe(16);
    expect(periodsIn(36, 'annual')).toBe(3);
    expect(() => periodsIn(30, 'annual')).toThrow(RangeError);
    expect(periodicRate('0.120000', 'monthly')).toBeCloseTo(0.01, 12);
    expect(periodicRate('0.080000', 'quarterly')).toBeCloseTo(0.02, 12);
  });

  it('lays due dates out from an anchor without drifting off month ends', () => {
    expect(dueDates('2026-01-31', 1, 4, 'monthly')).toEqual([
      '2025-12-31',
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
    ]);
    expect(dueDates('2026-11-30', 0, 3, 'quarterly')).toEqual(['2026-11-30', '2027-02-28', '2027-05-30']);
    expect(dueDates('2024-02-29', 0, 2, 'annual')).toEqual(['2024-02-29', '2025-02-28']);
  });

  it('amortises a 10,000.00 loan at 12% over 3 monthly payments in arrears', () => {
    // PMT = 10,000 × 0.01 / (1 − 1.01⁻³) = 3,400.2211 → 3,400.22
    const rent = levelPayment(10_000_00, 0, 0.01, 3, false);
    expect(rent).toBe(3_400_22);
    expect(amortise({ financed: 10_000_00, residual: 0, rent, i: 0.01, n: 3, inAdvance: false })).toEqual([
      { seq: 1, rent, interest: 100_00, principal: 3_300_22, balanceAfter: 6_699_78 },
      { seq: 2, rent, interest: 67_00, principal: 3_333_22, balanceAfter: 3_366_56 },
      // 33.6656 would round to 33.67 and leave 0.01: the last line absorbs the drift.
      { seq: 3, rent, interest: 33_66, principal: 3_366_56, balanceAfter: 0 },
    ]);
  });

  it('amortises a lease paid in advance down to the residual one period early', () => {
    // 100,000.00 financed, 10,000.00 residual, 1%/period, 3 rents in advance:
    // PMT = (100,000 − 10,000 × 1.01⁻³) × 0.01 / (1 − 1.01⁻³) / 1.01 = 30,398.0099 → 30,398.01
    const rent = levelPayment(100_000_00, 10_000_00, 0.01, 3, true);
    expect(rent).toBe(30_398_01);
    expect(
      amortise({ financed: 100_000_00, residual: 10_000_00, rent, i: 0.01, n: 3, inAdvance: true }),
    ).toEqual([
      { seq: 1, rent, interest: 0, principal: 30_398_01, balanceAfter: 69_601_99 },
      { seq: 2, rent, interest: 696_02, principal: 29_701_99, balanceAfter: 39_900_00 },
      { seq: 3, rent, interest: 399_00, principal: 29_999_01, balanceAfter: 9_900_99 }, // 10,000 / 1.01
    ]);
  });

  it('prices the worked payoff check of docs/domain.md at about 74,699', () => {
    const f = payoff({
      arrears: 0,
      rents: Array<number>(36).fill(2_000_00),
      endAmount: 10_000_00,
      i: 0.08 / 12,
      inAdvance: true,
      fees: 250_00,
      taxRate: '0.06',
      deposit: 2_000_00,
    });
    expect(f.rentsPv).toBe(64_249_10);
    expect(f.endAmountPv).toBe(7_872_55);
    expect(f.tax).toBe(4_327_30);
    expect(f.total).toBe(74_698_95);
  });
});

describe('demo data generation', () => {
  it('is deterministic for the same asOf and seed, and differs for another seed', () => {
    const a = JSON.stringify(gen().rows);
    expect(JSON.stringify(gen().rows)).toBe(a);
    expect(JSON.stringify(gen({ seed: 7 }).rows)).not.toBe(a);
  });

  it('numbers requests as the portal does: SR-<year>-<6 digits>, LCR-<6 digits>', () => {
    const { rows } = gen();
    expect(rows.service_requests.length).toBeGreaterThan(0);
    for (const r of rows.service_requests) expect(String(r.number)).toMatch(/^SR-\d{4}-\d{6}$/);
    for (const r of rows.location_change_requests) expect(String(r.number)).toMatch(/^LCR-\d{6}$/);
  });

  it('refuses a date that does not exist', () => {
    expect(() => gen({ asOf: '2026-02-30' })).toThrow(RangeError);
  });

  it('has the documented size at scale 1 and grows with scale', () => {
    const s = gen().summary;
    expect(s.labels).toBe(2);
    expect(s.customers).toBeGreaterThanOrEqual(6);
    expect(s.contracts).toBeGreaterThanOrEqual(2 * s.customers);
    expect(gen({ scale: 3 }).summary.customers).toBe(6 * 3 + 2);
  });

  it('gives Acme overdue invoices at 12, 45 and 75 days, a partial, an ACH in progress and a failed card', () => {
    const { rows } = gen();
    const acme = rows.customers.find((c) => c.number === 'C-10001')!;
    const nw = rows.private_labels.find((l) => l.code === 'northwind')!;
    const mine = (r: R): boolean => r.customer_id === acme.id && r.private_label_id === nw.id;
    const open = rows.invoices.filter(
      (i) => mine(i) && (i.status === 'open' || i.status === 'partially_paid'),
    );
    const overdue = open.filter((i) => String(i.due_date) < AS_OF);
    expect(overdue.map((i) => daysBetween(String(i.due_date), AS_OF)).sort((x, y) => x - y)).toEqual([
      12, 45, 75,
    ]);
    expect(overdue.filter((i) => i.status === 'partially_paid')).toHaveLength(1);
    const lateFees = rows.invoice_lines.filter(
      (l) => l.kind === 'late_fee' && overdue.some((i) => i.id === l.invoice_id),
    );
    expect(lateFees).toHaveLength(1);
    expect(open.filter((i) => String(i.due_date) >= AS_OF).length).toBeGreaterThanOrEqual(3);
    const payments = rows.payments.filter(mine);
    const method = (p: R) => rows.payment_methods.find((m) => m.id === p.payment_method_id)!;
    const inProgress = payments.filter((p) => p.status === 'in_progress');
    expect(inProgress.map((p) => method(p).kind)).toEqual(['ach']);
    // Not settled, so its allocation has not reduced the invoice yet.
    const alloc = rows.payment_allocations.find((a) => a.payment_id === inProgress[0]!.id)!;
    const inv = rows.invoices.find((i) => i.id === alloc.invoice_id)!;
    expect(inv.balance_minor).toBe(inv.total_minor);
    expect(payments.filter((p) => p.status === 'failed').map((p) => method(p).kind)).toEqual(['card']);
    const latest = payments
      .filter((p) => p.status === 'settled')
      .sort((x, y) => String(y.settled_at).localeCompare(String(x.settled_at)))[0]!;
    expect(latest).toMatchObject({ amount_minor: 5_000_00, settled_at: '2026-11-13T14:06:00Z' });
    // Every Acme product under Northwind, and one contract under Maple.
    const products = new Set(rows.contracts.filter(mine).map((c) => c.product));
    expect([...products].sort()).toEqual(['fmv', 'loan', 'one_dollar_buyout', 'trac']);
    expect(
      rows.contracts.filter((c) => c.customer_id === acme.id && c.private_label_id !== nw.id),
    ).toHaveLength(1);
  });

  it('leaves Cedar with nothing overdue', () => {
    const { rows } = gen();
    const cedar = rows.customers.find((c) => c.number === 'C-10003')!;
    const overdue = rows.invoices.filter(
      (i) => i.customer_id === cedar.id && i.status !== 'paid' && String(i.due_date) < AS_OF,
    );
    expect(overdue).toEqual([]);
  });

  it('keeps every row inside the schema constraints, for many seeds and dates', () => {
    for (const [seed, asOf] of [
      [1, '2024-02-29'],
      [2, '2025-01-31'],
      [3, '2026-12-31'],
      [4, '2026-11-16'],
    ] as const) {
      const { rows } = gen({ seed, asOf, scale: 2 });
      for (const l of rows.schedule_lines) {
        expect(Number(l.interest_minor)).toBeGreaterThanOrEqual(0);
        expect(Number(l.balance_after_minor)).toBeGreaterThanOrEqual(0);
      }
      for (const i of rows.invoices) {
        const bal = Number(i.balance_minor);
        expect(bal >= 0 && bal <= Number(i.total_minor)).toBe(true);
        if (i.status === 'paid') expect(bal).toBe(0);
        const lines = rows.invoice_lines
          .filter((l) => l.invoice_id === i.id)
          .reduce((s, l) => s + Number(l.amount_minor), 0);
        expect(lines).toBe(i.total_minor);
      }
      for (const c of rows.contracts) {
        const cost = rows.assets
          .filter((a) => a.contract_id === c.id)
          .reduce((s, a) => s + Number(a.cost_minor), 0);
        expect(cost).toBe(c.financed_amount_minor);
        expect(String(c.end_date) >= String(c.start_date)).toBe(true);
      }
      const emails = rows.users.map((u) => String(u.email));
      expect(new Set(emails).size).toBe(emails.length);
      expect(emails.every((e) => e === e.toLowerCase())).toBe(true);
      expect(new Set(rows.invoices.map((i) => i.number)).size).toBe(rows.invoices.length);
    }
  });

  it('lists the demo logins with the one password', () => {
    const table = demoLoginsTable();
    expect(table).toContain(DEMO_PASSWORD);
    for (const l of DEMO_LOGINS) expect(table).toContain(l.email);
    const emails = new Set(gen().rows.users.map((u) => u.email));
    for (const l of DEMO_LOGINS) expect(emails.has(l.email)).toBe(true);
  });
});
