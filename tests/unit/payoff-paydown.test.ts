/** Partial principal paydown of a loan: the amortisation maths, worked by hand (amounts in cents). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QuoteRequest } from '../../src/modules/payoff-quotes/payoff.calc.ts';
import {
  computePaydown,
  newInstalment,
  shortenedTerm,
} from '../../src/modules/payoff-quotes/payoff.paydown.ts';
import { levelPayment } from '../../seeds/schedule.ts';

describe('paydown maths', () => {
  it('same term: new instalment = P′·i / (1 − (1+i)^−n)', () => {
    // 10,000 × 0.01 / (1 − 1.01^−12) = 100 / 0.112551 = 888.48789 → 888.49.
    expect(newInstalment(10_000_00, 0.01, 12)).toBe(888_49);
    // No interest: P′ / n.
    expect(newInstalment(1_000_00, 0, 4)).toBe(250_00);
    expect(newInstalment(0, 0.01, 4)).toBe(0);
  });

  it('same instalment: n′ = ⌈−ln(1 − P′·i/R) / ln(1+i)⌉', () => {
    // 5,000 at 1 % with 888.49: −ln(1 − 50/888.49)/ln(1.01) = 0.0579214/0.0099503 = 5.82 → 6.
    expect(shortenedTerm(5_000_00, 0.01, 888_49)).toBe(6);
    // The whole principal with its own level instalment takes exactly the original term.
    expect(shortenedTerm(10_000_00, 0.01, 888_49)).toBe(12);
    expect(shortenedTerm(1_000_00, 0, 300_00)).toBe(4);
  });

  it('for any loan, the new instalment for the unchanged principal is the level payment, and a paydown lowers it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_00, max: 10_000_000_00 }),
        fc.integer({ min: 1, max: 1_500 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 99 }),
        (p, bp, n, pct) => {
          const i = bp / 10_000 / 12;
          const r = newInstalment(p, i, n);
          expect(Math.abs(r - levelPayment(p, 0, i, n, false))).toBeLessThanOrEqual(1);
          const after = Math.round((p * (100 - pct)) / 100);
          expect(newInstalment(after, i, n)).toBeLessThanOrEqual(r);
          expect(shortenedTerm(after, i, r)).toBeLessThanOrEqual(n);
        },
      ),
    );
  });
});

const loan: QuoteRequest = {
  contract: {
    product: 'loan',
    frequency: 'monthly',
    inAdvance: false,
    startDate: '2026-10-01',
    endDate: '2027-02-01',
    rate: '0.120000',
    residual: 0,
    financed: 10_000_00,
    taxRate: '0',
    deposit: 0,
    currency: 'USD',
  },
  label: { validityDays: 30, discountMode: 'contract', discountRate: null, feeMinor: 250_00 },
  // 4 instalments of 2,562.81 at 1 %/month on 10,000; the first (2026-11-01) billed and unpaid.
  schedule: [
    { seq: 1, due: '2026-11-01', rent: 2_562_81, tax: 0, balanceAfter: 7_537_19, billed: true },
    { seq: 2, due: '2026-12-01', rent: 2_562_81, tax: 0, balanceAfter: 5_049_75, billed: false },
    { seq: 3, due: '2027-01-01', rent: 2_562_81, tax: 0, balanceAfter: 2_537_43, billed: false },
    { seq: 4, due: '2027-02-01', rent: 2_562_81, tax: 0, balanceAfter: 0, billed: false },
  ],
  arrears: 2_562_81,
  quoteDate: '2026-11-16',
  payoffDate: '2026-11-16',
  share: null,
};

describe('paydown quote', () => {
  it('same term: pays arrears, the principal, its interest and the fee; new instalment over the 3 left', () => {
    // Principal after instalment 1: 7,537.19. Paydown 3,000. Interest on it, 15 of 30 days at 1 %:
    // 3,000 × 0.01 × 15/30 = 15.00 (from the whole principal's 37.69 × 3,000/7,537.19 = 15.00).
    // Total = 2,562.81 + 3,000 + 15.00 + 250 = 5,827.81.
    // P′ = 4,537.19 over 3: 4,537.19 × 0.01 / (1 − 1.01^−3) = 45.3719 / 0.0294099 = 1,542.745 (1,542.7449) → 1,542.74.
    const q = computePaydown(loan, 3_000_00, 'term');
    expect(Object.fromEntries(q.lines.map((l) => [l.code, l.amountMinor]))).toEqual({
      arrears: 2_562_81,
      paydown: 3_000_00,
      interest: 15_00,
      fees: 250_00,
    });
    expect(q.totalMinor).toBe(5_827_81);
    expect(q).toMatchObject({
      principalBefore: 7_537_19,
      principalAfter: 4_537_19,
      instalmentsLeft: 3,
      instalmentBefore: 2_562_81,
      instalmentAfter: 1_542_74,
      instalmentsAfter: 3,
    });
  });

  it('same instalment: the term shortens', () => {
    // P′ = 4,537.19 with 2,562.81: −ln(1 − 45.3719/2,562.81)/ln(1.01) = 0.0178613/0.0099503 = 1.80 → 2.
    const q = computePaydown(loan, 3_000_00, 'instalment');
    expect(q).toMatchObject({ instalmentAfter: 2_562_81, instalmentsAfter: 2, totalMinor: 5_827_81 });
  });

  it('refuses a lease, nothing, and the whole principal or more', () => {
    expect(() =>
      computePaydown({ ...loan, contract: { ...loan.contract, product: 'fmv' } }, 1_00, 'term'),
    ).toThrow(RangeError);
    expect(() => computePaydown(loan, 0, 'term')).toThrow(RangeError);
    expect(() => computePaydown(loan, 7_537_19, 'term')).toThrow(RangeError);
  });
});
