import { describe, expect, it } from 'vitest';
import {
  creditCorner,
  creditIn,
  invoiceCard,
  overdueDays,
  type OpenBalanceRow,
  type Rate,
} from '../../../src/modules/home/home.figures.ts';

const today = '2026-11-16';
const rates: Rate[] = [
  { from: 'USD', to: 'EUR', rate: '0.90000000', asOf: '2026-11-01' },
  { from: 'USD', to: 'EUR', rate: '0.92000000', asOf: '2026-11-15' }, // latest wins
  { from: 'USD', to: 'CAD', rate: '1.38000000', asOf: '2026-11-15' },
  { from: 'CAD', to: 'USD', rate: '0.72000000', asOf: '2026-11-14' },
  { from: 'USD', to: 'JPY', rate: '150.00000000', asOf: '2026-11-15' },
];

const row = (o: Partial<OpenBalanceRow>): OpenBalanceRow => ({
  currency: 'USD',
  overdueMinor: 0,
  oldestOverdue: null,
  nextDueMinor: 0,
  nextDueDate: null,
  overdueCount: 0,
  ...o,
});

describe('overdue days', () => {
  it('counts whole days from the oldest overdue due date to today', () => {
    expect(overdueDays('2026-09-02', today)).toBe(75); // Sep 2 → Nov 16: 28 + 31 + 16 = 75
    expect(overdueDays('2026-11-15', today)).toBe(1);
  });
  it('is zero when nothing is overdue', () => {
    expect(overdueDays(null, today)).toBe(0);
  });
  it('crosses a year end', () => {
    expect(overdueDays('2025-12-31', '2026-01-02')).toBe(2);
  });
});

describe('invoice card', () => {
  it('adds overdue and next due into total due, in minor units', () => {
    const card = invoiceCard(
      [
        row({
          overdueMinor: 1_234_56,
          oldestOverdue: '2026-10-04',
          overdueCount: 2,
          nextDueMinor: 2_000_01,
          nextDueDate: '2026-11-20',
        }),
      ],
      'USD',
      today,
      rates,
    );
    expect(card).toMatchObject({
      overdueMinor: 1_234_56,
      overdueDays: 43,
      overdueCount: 2,
      nextDueMinor: 2_000_01,
      nextDueDate: '2026-11-20',
      totalDueMinor: 3_234_57,
    });
  });
  it('shows zeros for a customer with nothing open', () => {
    expect(invoiceCard([], 'USD', today, rates)).toMatchObject({
      overdueMinor: 0,
      overdueDays: 0,
      nextDueMinor: 0,
      totalDueMinor: 0,
      nextDueDate: null,
    });
  });
  it('converts balances in another currency to the label currency at the latest rate', () => {
    // 100.00 CAD at 0.72 = 72.00 USD; oldest date is taken across currencies.
    const card = invoiceCard(
      [
        row({ overdueMinor: 50_00, oldestOverdue: '2026-11-10' }),
        row({ currency: 'CAD', overdueMinor: 100_00, oldestOverdue: '2026-11-01' }),
      ],
      'USD',
      today,
      rates,
    );
    expect(card.overdueMinor).toBe(122_00);
    expect(card.overdueDays).toBe(15);
  });
  it('reports a currency it cannot convert instead of adding it wrongly', () => {
    const card = invoiceCard([row({ currency: 'CHF', overdueMinor: 10_00 })], 'USD', today, rates);
    expect(card.overdueMinor).toBe(0);
    expect(card.unconverted).toEqual(['CHF']);
  });
});

describe('credit corner', () => {
  it('used = remaining principal + open balances; available = total − used', () => {
    const c = creditCorner(
      2_500_000_00,
      'USD',
      [{ currency: 'USD', principalMinor: 1_000_000_00 }],
      [row({ overdueMinor: 10_000_00, nextDueMinor: 5_000_00 })],
      rates,
    );
    expect(c).toMatchObject({
      totalMinor: 2_500_000_00,
      usedMinor: 1_015_000_00,
      availableMinor: 1_485_000_00,
    });
  });
  it('goes negative when exposure exceeds the limit (over limit is shown, not hidden)', () => {
    const c = creditCorner(100_00, 'USD', [{ currency: 'USD', principalMinor: 150_00 }], [], rates);
    expect(c.availableMinor).toBe(-50_00);
  });
  it('re-shows the figures in a secondary currency with the rate and its date', () => {
    const c = creditCorner(1_000_00, 'USD', [{ currency: 'USD', principalMinor: 333_33 }], [], rates);
    const eur = creditIn(c, 'EUR', rates)!;
    // 1,000.00 × 0.92 = 920.00; 333.33 × 0.92 = 306.6636 → 306.66; available 920.00 − 306.66
    expect(eur).toMatchObject({
      currency: 'EUR',
      totalMinor: 920_00,
      usedMinor: 306_66,
      availableMinor: 613_34,
      rateAsOf: '2026-11-15',
      rate: '0.92000000',
    });
  });
  it('handles currencies with no minor unit', () => {
    const c = creditCorner(1_000_00, 'USD', [], [], rates);
    expect(creditIn(c, 'JPY', rates)!.totalMinor).toBe(150_000);
  });
  it('uses the inverse rate when only the other direction is on file', () => {
    const c = creditCorner(
      720_00,
      'CAD',
      [],
      [],
      [{ from: 'USD', to: 'CAD', rate: '1.25000000', asOf: '2026-11-15' }],
    );
    expect(
      creditIn(c, 'USD', [{ from: 'USD', to: 'CAD', rate: '1.25000000', asOf: '2026-11-15' }])!.totalMinor,
    ).toBe(576_00);
  });
  it('returns undefined when no rate exists', () => {
    expect(creditIn(creditCorner(1, 'USD', [], [], []), 'GBP', [])).toBeUndefined();
  });
});
