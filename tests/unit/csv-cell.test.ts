import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { amount, csvCell, csvRow, neutralise, sheetCell } from '../../src/lib/csv-cell.ts';

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];
/** Any text starting with one of the characters a spreadsheet reads as a formula. */
const formulaText = fc
  .tuple(fc.constantFrom(...TRIGGERS), fc.string({ maxLength: 60 }))
  .map(([first, rest]) => first + rest);
/** Text a spreadsheet reads as text anyway. */
const plainText = fc.string({ maxLength: 60 }).filter((s) => !TRIGGERS.some((c) => s.startsWith(c)));

describe('csv cell formula guard', () => {
  it('neutralises the numeric-looking formula that slipped through ("-1+HYPERLINK(...)")', () => {
    const evil = '-1+HYPERLINK("http://evil.example")';
    expect(csvCell(evil)).toBe(`'${evil}`);
    expect(sheetCell(evil)).toBe(`'${evil}`);
    for (const s of ['-1', '+1', '-2.5', '=1+1', '@SUM(A1)', '\t=1', '\r=1', '-0'])
      expect(csvCell(s)).toBe(`'${s}`);
  });

  it('prefixes a single quote to any text starting with = + - @ tab or CR, in CSV and XLSX', () => {
    fc.assert(
      fc.property(formulaText, (s) => {
        expect(csvCell(s)).toBe(`'${s}`);
        expect(sheetCell(s)).toBe(`'${s}`);
        expect(neutralise(s)).toBe(`'${s}`);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves other text as it is', () => {
    fc.assert(
      fc.property(plainText, (s) => {
        expect(csvCell(s)).toBe(s);
        expect(sheetCell(s)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('writes typed numbers as numbers, negative ones included, never quoted', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(csvCell(n)).toBe(String(n));
        expect(Number(csvCell(n)) === n).toBe(true); // -0 reads back as 0
        expect(sheetCell(n)).toBe(n);
      }),
      { numRuns: 500 },
    );
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(Number.NaN)).toBe('');
    expect(sheetCell(Number.POSITIVE_INFINITY)).toBe('');
  });

  it('writes amounts in minor units as plain decimals (CSV) and numbers (XLSX)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (minor) => {
        const usd = csvCell(amount(minor, 'USD'));
        expect(usd).toMatch(/^-?\d+\.\d{2}$/);
        expect(Math.round(Number(usd) * 100)).toBe(minor);
        expect(sheetCell(amount(minor, 'USD'))).toBeCloseTo(minor / 100, 6);
        expect(csvCell(amount(minor, 'JPY'))).toBe(String(minor));
      }),
      { numRuns: 500 },
    );
    expect(csvCell(amount(-5, 'USD'))).toBe('-0.05');
    expect(csvCell(amount(123_450, 'USD'))).toBe('1234.50');
  });

  it('survives a CSV round trip: the parsed cell is the quoted text, numbers stay bare', () => {
    fc.assert(
      fc.property(formulaText, fc.integer(), (s, n) => {
        const csv = stringify([csvRow([s, n, amount(n, 'USD'), null])]);
        const [row] = parse(csv, { relax_column_count: true }) as string[][];
        expect(row![0]).toBe(`'${s}`);
        expect(row![1]).toBe(String(n));
        expect(row![2]).toBe(amount(n, 'USD').text);
        expect(row![3]).toBe('');
      }),
      { numRuns: 300 },
    );
  });
});
