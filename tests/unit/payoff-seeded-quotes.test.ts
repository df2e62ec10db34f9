/**
 * The demo data's payoff quotes are priced by the portal's own rule (computeQuote), so what a
 * lessee reads on a seeded quote agrees with a quote they request: its lines add up to its total,
 * a "$1 purchase option" line is $1.00 (it read $0.82 when the $1 was discounted), and every
 * number has the portal's format.
 */
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../seeds/generate.ts';

interface Line {
  code: string;
  label: string;
  amountMinor: number;
}

describe('seeded payoff quotes', () => {
  it("lines add up, the $1 option reads $1.00, figures and numbers are the portal's", () => {
    const { rows } = generateDemo({ asOf: '2026-11-16', scale: 1, seed: 20261116, passwordHash: 'x' });
    const contracts = new Map(rows.contracts.map((c) => [c.id, c]));
    const products = new Set<string>();
    for (const q of rows.payoff_quotes) {
      const b = JSON.parse(String(q.breakdown)) as { lines: Line[]; totalMinor: number };
      const product = String(contracts.get(q.contract_id)!.product);
      products.add(product);
      expect(q.number).toBe(`PQ-${String(q.quote_date).slice(0, 4)}-${String(q.id).padStart(6, '0')}`);
      expect(b.totalMinor).toBe(q.total_minor);
      expect(b.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(b.totalMinor);
      const end = b.lines.find((l) => l.code === 'end_amount')!;
      if (product === 'one_dollar_buyout')
        expect(end).toMatchObject({ label: '$1 purchase option', amountMinor: 1_00 });
      else expect(end.label).toMatch(/discounted to the payoff date$/);
    }
    expect([...products].sort()).toEqual(['fmv', 'one_dollar_buyout', 'trac']);
  });
});
