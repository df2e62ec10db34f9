/**
 * A payoff quote moves with its payoff date by a day's interest (or discount) a day, never by a
 * period or an instalment at once: for generated contracts of every product, frequency, timing,
 * discount mode, share and billing state, the quote for day D + 1 is never more than a day's
 * interest above the quote for day D, and never below it (waiting never makes paying off cheaper;
 * nothing credited depends on the date). Fees are the same on both days. Rounding: 4 minor units.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysBetween } from '../../src/lib/clock.ts';
import {
  computeQuote,
  MONTHS_PER_PERIOD,
  periodicRate,
  type Frequency,
  type Product,
  type QuoteRequest,
} from '../../src/modules/payoff-quotes/payoff.calc.ts';
import { amortise, levelPayment } from '../../seeds/schedule.ts';

const ROUNDING = 4;

const contractArb = fc.record({
  product: fc.constantFrom<Product>('fmv', 'one_dollar_buyout', 'trac', 'loan'),
  frequency: fc.constantFrom<Frequency>('monthly', 'quarterly', 'semiannual', 'annual'),
  inAdvance: fc.boolean(),
  periods: fc.integer({ min: 1, max: 48 }),
  firstDue: fc.date({ min: new Date('2024-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
  financed: fc.integer({ min: 1_000_00, max: 5_000_000_00 }),
  residualPct: fc.integer({ min: 0, max: 40 }),
  ratePct: fc.integer({ min: 0, max: 2_000 }), // hundredths of a percent: 0–20 % a year
  taxPct: fc.integer({ min: 0, max: 1_000 }), // hundredths of a percent
  discount: fc.constantFrom<'contract' | 'label' | 'none'>('contract', 'label', 'none'),
  labelRatePct: fc.integer({ min: 0, max: 1_500 }),
  fee: fc.integer({ min: 0, max: 1_000_00 }),
  deposit: fc.integer({ min: 0, max: 5_000_00 }),
  share: fc.option(fc.integer({ min: 1, max: 99 }), { nil: null }),
  /** How far into the schedule the quote is asked (0 = before the first due date). */
  quoteAt: fc.double({ min: 0, max: 1, noNaN: true }),
  /** Invoices go out this many days ahead of the due date. */
  billAhead: fc.integer({ min: 0, max: 45 }),
  /** The billed instalments still unpaid (the rest were paid). */
  unpaidBilled: fc.integer({ min: 0, max: 3 }),
});

type Gen = typeof contractArb extends fc.Arbitrary<infer T> ? T : never;

function request(g: Gen): QuoteRequest {
  const loan = g.product === 'loan';
  const rate = (g.ratePct / 10_000).toFixed(6);
  const taxRate = loan ? '0' : (g.taxPct / 10_000).toFixed(5);
  const i = periodicRate(rate, g.frequency);
  const residual = loan
    ? 0
    : g.product === 'one_dollar_buyout'
      ? 1_00
      : Math.round((g.financed * g.residualPct) / 100);
  const rent = levelPayment(g.financed, residual, i, g.periods, g.inAdvance);
  const first = g.firstDue.toISOString().slice(0, 10);
  const m = MONTHS_PER_PERIOD[g.frequency];
  const am = amortise({ financed: g.financed, residual, rent, i, n: g.periods, inAdvance: g.inAdvance });
  const dues = am.map((_, k) => addMonths(first, k * m));
  const startDate = g.inAdvance ? first : addMonths(first, -m);
  const endDate = g.inAdvance ? addDays(addMonths(dues.at(-1)!, m), -1) : dues.at(-1)!;
  const quoteDate = addDays(
    startDate,
    Math.floor(g.quoteAt * Math.max(0, daysBetween(startDate, endDate) - 1)),
  );
  const tax = Math.round((rent * g.taxPct) / 10_000);
  const schedule = am.map((a, k) => ({
    seq: a.seq,
    due: dues[k]!,
    rent,
    tax: loan ? 0 : tax,
    balanceAfter: a.balanceAfter,
    billed: dues[k]! <= addDays(quoteDate, g.billAhead),
  }));
  const billed = schedule.filter((l) => l.billed);
  const arrears = billed
    .slice(billed.length - Math.min(g.unpaidBilled, billed.length))
    .reduce((s, l) => s + l.rent + l.tax, 0);
  return {
    contract: {
      product: g.product,
      frequency: g.frequency,
      inAdvance: g.inAdvance,
      startDate,
      endDate,
      rate,
      residual,
      financed: g.financed,
      taxRate,
      deposit: g.deposit,
      currency: 'USD',
    },
    label: {
      validityDays: 30,
      discountMode: g.discount,
      discountRate: (g.labelRatePct / 10_000).toFixed(6),
      feeMinor: g.fee,
    },
    schedule,
    arrears,
    quoteDate,
    payoffDate: quoteDate,
    share: g.share === null ? null : { selectedCost: g.share * 1_000, contractCost: 100_000 },
  };
}

/** The largest interest a day can add: the higher of the contract's and the discount's rate, per day of the shortest period. */
function daysInterest(req: QuoteRequest, total: number): number {
  const c = req.contract;
  const annual = Math.max(Number(c.rate), Number(req.label.discountRate ?? 0));
  const shortest = { monthly: 28, quarterly: 89, semiannual: 181, annual: 365 }[c.frequency];
  return Math.ceil(((total + c.deposit) * periodicRate(String(annual), c.frequency)) / shortest);
}

describe('a payoff quote day by day', () => {
  it('for day D + 1 is never more than a day’s interest above day D, nor below it, across due and billing dates', () => {
    fc.assert(
      fc.property(contractArb, (g) => {
        const req = request(g);
        const last = req.contract.endDate;
        let prev: number | undefined;
        for (let d = req.quoteDate, n = 0; d <= last && n < 400; d = addDays(d, 1), n++) {
          const total = computeQuote({ ...req, payoffDate: d }).breakdown.totalMinor;
          if (prev !== undefined) {
            expect(total - prev, `${d}`).toBeLessThanOrEqual(daysInterest(req, total) + ROUNDING);
            expect(total - prev, `${d}`).toBeGreaterThanOrEqual(-ROUNDING);
          }
          prev = total;
        }
      }),
      { numRuns: 300 },
    );
  });
});
