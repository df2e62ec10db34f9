/**
 * Partial payoff quotes: each selected asset is taxed at its own location's rate (docs/domain.md
 * "Payoff quote"; table in src/modules/payoff-quotes/payoff.tax-rates.ts). Figures in cents,
 * worked by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { computeQuote, taxPerAsset, type QuoteRequest } from '../../src/modules/payoff-quotes/payoff.calc.ts';
import { locationTaxRate, SALES_TAX_RATES } from '../../src/modules/payoff-quotes/payoff.tax-rates.ts';

describe('tax-rate table', () => {
  it('gives a state or province rate, and the contract rate for an unlisted or missing location', () => {
    expect(locationTaxRate({ country: 'US', region: 'TX' }, '0.06000')).toEqual({
      rate: '0.06250',
      location: 'US-TX',
    });
    // Case and stray spaces do not matter (country is char(2), trimmed).
    expect(locationTaxRate({ country: 'ca ', region: ' on' }, '0.06000')).toEqual({
      rate: '0.13000',
      location: 'CA-ON',
    });
    expect(locationTaxRate({ country: 'US', region: 'ZZ' }, '0.06000')).toEqual({
      rate: '0.06000',
      location: undefined,
    });
    expect(locationTaxRate({ country: null, region: null }, '0.05000').rate).toBe('0.05000');
    // Every rate is a decimal string below 1 that applyRate accepts.
    for (const r of Object.values(SALES_TAX_RATES)) expect(r).toMatch(/^0\.\d{5}$/);
  });
});

describe('per-asset tax on a partial quote', () => {
  // FMV, monthly in arrears, no discount (label mode "none") so PV = face value.
  // Contract cost 30,000.00: asset A 10,000.00 in Texas, B 5,000.00 in Ontario, C 15,000.00 (not
  // selected). Selected share = 15,000 / 30,000 = 1/2. Three unbilled rents of 1,000.00 after the
  // payoff date; residual 3,000.00; contract tax rate 6%; fee 250.00; no deposit, no arrears.
  const base: QuoteRequest = {
    contract: {
      product: 'fmv',
      frequency: 'monthly',
      inAdvance: false,
      startDate: '2024-04-01',
      endDate: '2027-03-31',
      rate: '0.080000',
      residual: 3_000_00,
      financed: 30_000_00,
      taxRate: '0.06000',
      deposit: 0,
      currency: 'USD',
    },
    label: { validityDays: 30, discountMode: 'none', discountRate: null, feeMinor: 250_00 },
    schedule: [
      { seq: 34, due: '2027-01-01', rent: 1_000_00, tax: 60_00, balanceAfter: 0, billed: false },
      { seq: 35, due: '2027-02-01', rent: 1_000_00, tax: 60_00, balanceAfter: 0, billed: false },
      { seq: 36, due: '2027-03-01', rent: 1_000_00, tax: 60_00, balanceAfter: 0, billed: false },
    ],
    arrears: 0,
    quoteDate: '2026-12-01',
    payoffDate: '2026-12-15',
    share: { selectedCost: 15_000_00, contractCost: 30_000_00 },
  };
  const assetTax = [
    { number: 'A', costMinor: 10_000_00, ...locationTaxRate({ country: 'US', region: 'TX' }, '0.06000') },
    { number: 'B', costMinor: 5_000_00, ...locationTaxRate({ country: 'CA', region: 'ON' }, '0.06000') },
  ].map((a) => ({ number: a.number, costMinor: a.costMinor, taxRate: a.rate, location: a.location }));

  it('taxes each asset’s cost share of the purchase at its own rate', () => {
    const q = computeQuote({ ...base, assetTax });
    const line = (code: string) => q.breakdown.lines.filter((l) => l.code === code);
    // Rents: 3 × (1,000.00 × 1/2) = 3 × 50,000 = 150,000, undiscounted.
    expect(line('remaining_rents')[0]!.amountMinor).toBe(150_000);
    // End amount: 3,000.00 × 1/2 = 150,000.
    expect(line('end_amount')[0]!.amountMinor).toBe(150_000);
    // Taxable purchase 300,000 split by cost 10,000 : 5,000 → A 200,000, B 100,000.
    // A in Texas: 200,000 × 6.25% = 12,500.  B in Ontario: 100,000 × 13% = 13,000.
    expect(line('tax').map((l) => [l.label, l.amountMinor])).toEqual([
      ['Sales tax 6.25% (US-TX) on the purchase of asset A', 12_500],
      ['Sales tax 13% (CA-ON) on the purchase of asset B', 13_000],
    ]);
    // Total: 150,000 + 150,000 + fee 25,000 + tax 25,500 − 0 = 350,500 ($3,505.00).
    expect(q.breakdown.totalMinor).toBe(350_500);
    expect(q.breakdown.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(350_500);
    expect(q.inputs.taxRate).toBe('per asset');
  });

  it('without per-asset rates the contract rate applies (6% of 300,000 = 18,000 → 343,000)', () => {
    const q = computeQuote(base);
    expect(q.breakdown.lines.filter((l) => l.code === 'tax').map((l) => l.amountMinor)).toEqual([18_000]);
    expect(q.breakdown.totalMinor).toBe(343_000);
  });

  it('an asset in an unlisted place falls back to the contract rate; parts add up after rounding', () => {
    // 100,001 split 2 : 1 → 66,667.33 rounds to 66,667; the last asset takes 100,001 − 66,667 = 33,334.
    // 66,667 × 6.25% = 4,166.6875 → 4,167; 33,334 × 6% (contract rate, place "ZZ") = 2,000.04 → 2,000.
    const parts = taxPerAsset(100_001, [
      { number: 'A', costMinor: 2, taxRate: '0.06250', location: 'US-TX' },
      {
        number: 'B',
        costMinor: 1,
        ...{ taxRate: locationTaxRate({ country: 'US', region: 'ZZ' }, '0.06000').rate },
        location: undefined,
      },
    ]);
    expect(parts.map((p) => [p.baseMinor, p.taxMinor])).toEqual([
      [66_667, 4_167],
      [33_334, 2_000],
    ]);
  });
});
