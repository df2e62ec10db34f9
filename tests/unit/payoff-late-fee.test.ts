/**
 * The late fee's words and amount agree (a late fee is part of a payoff quote's arrears): every
 * late fee in the generated demo data, for several seeds and dates, says "<percent>% of past-due
 * rent" and is that percentage of the invoice's rent line (not of rent plus sales tax), or the
 * label's minimum when that is more.
 */
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../seeds/generate.ts';
import { applyRate } from '../../src/modules/payoff-quotes/payoff.calc.ts';

type Row = Record<string, unknown>;

describe('late fees', () => {
  it.each([
    ['2026-11-16', 20261116],
    ['2026-11-16', 7],
    ['2027-03-01', 42],
    ['2026-02-28', 99],
  ])(
    'on %s, seed %i: the text says "% of past-due rent" and the amount is that share of the rent',
    (asOf, seed) => {
      const { rows } = generateDemo({ asOf, scale: 1, seed, passwordHash: 'x' });
      const ruleOf = new Map(
        rows.private_labels.map((l) => [
          l.id,
          JSON.parse(String(l.late_fee_rule)) as { percent: number; minimumMinor: number },
        ]),
      );
      const invoices = new Map(rows.invoices.map((i) => [i.id, i]));
      const fees = rows.invoice_lines.filter((l) => l.kind === 'late_fee');
      expect(fees.length).toBeGreaterThan(0);
      let aboveMinimum = 0;
      for (const fee of fees) {
        const inv = invoices.get(fee.invoice_id) as Row;
        const rule = ruleOf.get(inv.private_label_id)!;
        const lines = rows.invoice_lines.filter((l) => l.invoice_id === fee.invoice_id);
        const rent = lines.filter((l) => l.kind === 'rent').reduce((s, l) => s + Number(l.amount_minor), 0);
        const tax = lines.filter((l) => l.kind === 'tax').reduce((s, l) => s + Number(l.amount_minor), 0);
        const share = applyRate(rent, (rule.percent / 100).toFixed(4));
        expect(String(fee.description)).toContain(`${rule.percent}% of past-due rent`);
        expect(fee.amount_minor).toBe(Math.max(rule.minimumMinor, share));
        if (share > rule.minimumMinor) {
          aboveMinimum++;
          if (tax > 0)
            expect(fee.amount_minor).not.toBe(applyRate(rent + tax, (rule.percent / 100).toFixed(4)));
        }
      }
      expect(aboveMinimum).toBeGreaterThan(0);
    },
  );
});
