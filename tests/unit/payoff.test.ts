/**
 * Payoff arithmetic (docs/domain.md "Payoff quote"): Payoff = A + Σ Rₖ/(1+i)^(k−δ) + E/(1+i)ⁿ + F + T − C.
 * Every expected figure is worked by hand in the comment above it (amounts in cents).
 */
import { describe, expect, it } from 'vitest';
import {
  computeQuote,
  latestPayoffDate,
  accruedInterest,
  payoff,
  type QuoteRequest,
  type ScheduleItem,
} from '../../src/modules/payoff-quotes/payoff.calc.ts';

describe('payoff formula', () => {
  it('matches the worked check in docs/domain.md (≈ 74,699)', () => {
    // 36 advance rents of 2,000 at 8%/yr monthly: i = 0.08/12 = 0.0066667, (1+i)^36 = 1.270237,
    // v^36 = 0.787255. Σ = 2,000 × (1 − v^36)/i × (1+i) = 2,000 × 31.91180 × 1.0066667 = 64,249.10.
    // E = 10% of 100,000 = 10,000 × v^36 = 7,872.55. T = 6% × (64,249.10 + 7,872.55) = 4,327.30.
    // Total = 64,249.10 + 7,872.55 + 250 + 4,327.30 − 2,000 = 74,698.95.
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
    expect(f).toEqual({
      arrears: 0,
      rentsPv: 64_249_10,
      endAmountPv: 7_872_55,
      fees: 250_00,
      tax: 4_327_30,
      deposit: 2_000_00,
      total: 74_698_95,
    });
  });

  it('$1 buyout in advance with past-due amounts', () => {
    // 3 rents of 1,000 at 1%/period, in advance (δ = 1): 1,000 + 1,000/1.01 + 1,000/1.0201
    //   = 1,000 + 990.09901 + 980.29605 = 2,970.39506 → 2,970.40.
    // E = 1.00 / 1.01³ = 1 / 1.030301 = 0.97059 → 0.97.
    // T = 5% × (2,970.40 + 0.97) = 148.5685 → 148.57. A = 500, F = 100, C = 0.
    // Total = 500 + 2,970.40 + 0.97 + 100 + 148.57 = 3,719.94.
    const f = payoff({
      arrears: 500_00,
      rents: [1_000_00, 1_000_00, 1_000_00],
      endAmount: 1_00,
      i: 0.01,
      inAdvance: true,
      fees: 100_00,
      taxRate: '0.05',
      deposit: 0,
    });
    expect(f.rentsPv).toBe(2_970_40);
    expect(f.endAmountPv).toBe(97);
    expect(f.tax).toBe(148_57);
    expect(f.total).toBe(3_719_94);
  });

  it('TRAC in arrears, no tax, no past due', () => {
    // Quarterly at 8%/yr → i = 2%. In arrears (δ = 0): 500/1.02 + 500/1.0404 = 490.19608 + 480.58439
    //   = 970.78047 → 970.78. E = TRAC 10,000 / 1.02² = 9,611.68781 → 9,611.69.
    // Total = 970.78 + 9,611.69 = 10,582.47.
    const f = payoff({
      arrears: 0,
      rents: [500_00, 500_00],
      endAmount: 10_000_00,
      i: 0.02,
      inAdvance: false,
      fees: 0,
      taxRate: '0',
      deposit: 0,
    });
    expect(f.rentsPv).toBe(970_78);
    expect(f.endAmountPv).toBe(9_611_69);
    expect(f.total).toBe(10_582_47);
  });

  it("loan interest: the period's interest at the periodic rate, by the days elapsed of the period", () => {
    // 10,000 × (7.3% / 12) × 15 / 30 = 30.41667 → 30.42; on the next due date a whole period: 60.83.
    const o = { principal: 10_000_00, periodicRate: 0.073 / 12, from: '2026-11-01', periodEnd: '2026-12-01' };
    expect(accruedInterest({ ...o, to: '2026-11-16' })).toEqual({ days: 15, interest: 30_42 });
    expect(accruedInterest({ ...o, to: '2026-12-01' })).toEqual({ days: 30, interest: 60_83 });
    expect(accruedInterest({ ...o, to: '2026-10-31' })).toEqual({ days: 0, interest: 0 });
  });

  it('limits the payoff date to the label limit and the contract end', () => {
    expect(latestPayoffDate('2026-11-16', 30, '2027-12-31')).toBe('2026-12-16');
    expect(latestPayoffDate('2026-11-16', 30, '2026-11-30')).toBe('2026-11-30');
  });
});

const line = (seq: number, due: string, billed: boolean, balanceAfter = 0): ScheduleItem => ({
  seq,
  due,
  rent: 1_000_00,
  tax: 60_00,
  balanceAfter,
  billed,
});

/** FMV, monthly in advance, 12%/yr (1%/month), 6% tax, residual 3,000, deposit 1,000, fee 250. */
const base = (over: Partial<QuoteRequest> = {}): QuoteRequest => ({
  contract: {
    product: 'fmv',
    frequency: 'monthly',
    inAdvance: true,
    startDate: '2026-08-01',
    endDate: '2027-02-28',
    rate: '0.120000',
    residual: 3_000_00,
    financed: 10_000_00,
    taxRate: '0.06000',
    deposit: 1_000_00,
    currency: 'USD',
  },
  label: { validityDays: 30, discountMode: 'contract', discountRate: null, feeMinor: 250_00 },
  schedule: [
    line(1, '2026-11-01', true),
    line(2, '2026-12-01', false),
    line(3, '2027-01-01', false),
    line(4, '2027-02-01', false),
  ],
  // Rent 1 (1,000 + 60 tax) was billed and is unpaid.
  arrears: 1_060_00,
  quoteDate: '2026-11-16',
  payoffDate: '2026-12-01',
  share: null,
  ...over,
});

const amounts = (q: ReturnType<typeof computeQuote>) =>
  Object.fromEntries(q.breakdown.lines.map((l) => [l.code, l.amountMinor]));

describe('itemised quote', () => {
  it('payoff date on a due date: that rent is a separate line, later rents are discounted', () => {
    // A = 1,060. Rent 2 due 2026-12-01 ≤ payoff date → separate line 1,000 + 60 = 1,060.
    // Each later rent is discounted from its own due date: rent 3 one period away, rent 4 two:
    //   1,000/1.01 + 1,000/1.0201 = 990.09901 + 980.29605 = 1,970.39506 → 1,970.40.
    // E at the lease's end, one period after rent 4 (in advance): 3,000 / 1.01³ = 2,911.77011 → 2,911.77.
    // T = 6% × (1,970.40 + 2,911.77) = 292.9302 → 292.93.
    // Total = 1,060 + 1,060 + 1,970.40 + 2,911.77 + 250 + 292.93 − 1,000 = 6,545.10.
    // (Before, rent 3 was taken at its full value as if due on the payoff date: 51.75 more.)
    // Valid until: next rent after the payoff date is 2027-01-01 → 2026-12-31, capped at
    // quote date + 30 days = 2026-12-16.
    const q = computeQuote(base());
    expect(amounts(q)).toEqual({
      arrears: 1_060_00,
      rent_due: 1_060_00,
      remaining_rents: 1_970_40,
      end_amount: 2_911_77,
      fees: 250_00,
      tax: 292_93,
      deposit: -1_000_00,
    });
    expect(q.breakdown.totalMinor).toBe(6_545_10);
    expect(q.validUntil).toBe('2026-12-16');
  });

  it('payoff date the day before a due date: that rent is discounted with the rest', () => {
    // No separate rents. 2026-11-30 is 29 of the 30 days from rent 1 to rent 2: rent 2 is 1/30 of a
    // period away, rents 3 and 4 1 + 1/30 and 2 + 1/30, E 3 + 1/30. v = 1.01^(−1/30) = 0.99966838.
    // Rents: (1,000 + 990.09901 + 980.29605) × v = 2,970.39506 × v = 2,969.41 (2,969.40999).
    // E = 2,911.77011 × v = 2,910.80454 → 2,910.80. T = 6% × 5,880.21 = 352.8126 → 352.81.
    // Total = 1,060 + 2,969.41 + 2,910.80 + 250 + 352.81 − 1,000 = 6,543.02: a day's discount
    // (about 2.08) below the next day's 6,545.10.
    // Valid until the day before rent 2 falls due (2026-12-01) → 2026-11-30, the payoff date itself.
    const q = computeQuote(base({ payoffDate: '2026-11-30' }));
    expect(amounts(q).rent_due).toBeUndefined();
    expect(amounts(q).remaining_rents).toBe(2_969_41);
    expect(amounts(q).end_amount).toBe(2_910_80);
    expect(amounts(q).tax).toBe(352_81);
    expect(q.breakdown.totalMinor).toBe(6_543_02);
    expect(q.validUntil).toBe('2026-11-30');
  });

  it('without past-due amounts and without discount (label mode "none")', () => {
    // i = 0: rents 2, 3, 4 = 3,000; E = 3,000; T = 6% × 6,000 = 360; A = 0.
    // Total = 3,000 + 3,000 + 250 + 360 − 1,000 = 5,610.
    const q = computeQuote(
      base({
        arrears: 0,
        payoffDate: '2026-11-30',
        label: { validityDays: 30, discountMode: 'none', discountRate: null, feeMinor: 250_00 },
      }),
    );
    expect(amounts(q).remaining_rents).toBe(3_000_00);
    expect(q.breakdown.totalMinor).toBe(5_610_00);
  });

  it('partial payoff: selected assets carry their cost share (40%)', () => {
    // Share 4,000 / 10,000 = 40%. A stays whole: 1,060. Rent 2 line: 400 + 24 = 424.
    // Rents 3, 4: 400/1.01 + 400/1.0201 = 788.15802 → 788.16. E = 1,200 / 1.01³ = 1,164.70804 → 1,164.71.
    // T = 6% × 1,952.87 = 117.1722 → 117.17. C = 40% × 1,000 = 400.
    // Total = 1,060 + 424 + 788.16 + 1,164.71 + 250 + 117.17 − 400 = 3,404.04.
    const q = computeQuote(base({ share: { selectedCost: 4_000_00, contractCost: 10_000_00 } }));
    expect(amounts(q)).toMatchObject({
      rent_due: 424_00,
      remaining_rents: 788_16,
      end_amount: 1_164_71,
      tax: 117_17,
    });
    expect(q.breakdown.totalMinor).toBe(3_404_04);
  });

  it('$1 buyout uses the contract purchase option as E, at its face value (a $1 line reads $1.00)', () => {
    // Same as the due-date case with E = 1.00, not discounted: the $1 is paid with the payoff.
    // T = 6% × (1,970.40 + 1.00) = 118.284 → 118.28.
    // Total = 1,060 + 1,060 + 1,970.40 + 1.00 + 250 + 118.28 − 1,000 = 3,459.68.
    const q = computeQuote(
      base({ contract: { ...base().contract, product: 'one_dollar_buyout', residual: 1_00 } }),
    );
    expect(amounts(q).end_amount).toBe(1_00);
    expect(q.breakdown.lines.find((l) => l.code === 'end_amount')?.label).toBe('$1 purchase option');
    expect(q.breakdown.totalMinor).toBe(3_459_68);
  });

  it('loan: principal after the last instalment due by the payoff date plus accrued interest, no tax', () => {
    // Instalment 1 (2026-11-01) paid, balance after it 10,000. Payoff 2026-11-16, 15 of the 30 days
    // to instalment 2: 10,000 × 0.073/12 × 15/30 = 30.41667 → 30.42. Total = 10,000 + 30.42 + 250 = 10,280.42.
    const q = computeQuote(
      base({
        contract: {
          ...base().contract,
          product: 'loan',
          rate: '0.073000',
          residual: 0,
          deposit: 0,
          taxRate: '0',
        },
        schedule: [line(1, '2026-11-01', true, 10_000_00), line(2, '2026-12-01', false, 9_000_00)],
        arrears: 0,
        payoffDate: '2026-11-16',
      }),
    );
    expect(amounts(q)).toEqual({
      arrears: 0,
      end_amount: 10_000_00,
      interest: 30_42,
      fees: 250_00,
      deposit: 0,
    });
    expect(q.breakdown.totalMinor).toBe(10_280_42);
    expect(q.validUntil).toBe('2026-11-30');
  });
});
