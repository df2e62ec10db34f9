import { describe, expect, it } from 'vitest';
import { convertMinor, formatMoney, parseMoney } from '../../src/lib/money.ts';

describe('money', () => {
  it('parses decimal input without floating point', () => {
    expect(parseMoney('0.29', 'USD')).toBe(29);
    expect(parseMoney('1,234.56', 'USD')).toBe(123_456);
    expect(parseMoney('$10', 'USD')).toBe(1_000);
    expect(parseMoney('10.5', 'USD')).toBe(1_050);
    expect(parseMoney('1.005', 'USD')).toBeUndefined();
    expect(parseMoney('-5', 'USD')).toBeUndefined();
    expect(parseMoney('abc', 'USD')).toBeUndefined();
    expect(parseMoney('100', 'JPY')).toBe(100);
  });
  it('formats minor units exactly', () => {
    expect(formatMoney(123_456_789, 'USD')).toBe('$1,234,567.89');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(-1_050, 'USD')).toBe('-$10.50');
    expect(formatMoney(150_000, 'JPY')).toBe('¥150,000');
    expect(formatMoney(1_000_00, 'CAD', 'en-CA')).toBe('$1,000.00');
  });
  it('converts with half-up rounding', () => {
    expect(convertMinor(1, '0.5', 'USD', 'EUR')).toBe(1); // 0.5 → 1
    expect(convertMinor(333_33, '0.92', 'USD', 'EUR')).toBe(306_66);
    expect(convertMinor(100, '150', 'USD', 'JPY')).toBe(150);
  });
});

describe('formatMoney matches Intl for every size, sign, locale and currency', () => {
  /** What formatMoney must equal: Intl's own parts, with the exact minor digits as the fraction. */
  function reference(minor: number, currency: string, locale: string): string {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits!;
    const abs = Math.abs(minor);
    const parts = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'symbol',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).formatToParts(Math.trunc(abs / 10 ** digits));
    const fraction = String(abs % 10 ** digits).padStart(digits, '0');
    return (minor < 0 ? '-' : '') + parts.map((p) => (p.type === 'fraction' ? fraction : p.value)).join('');
  }

  it('agrees on a grid of values', () => {
    const values = [
      0,
      1,
      5,
      99,
      100,
      101,
      12_345,
      -12_345,
      100_000_000,
      123_456_789_012,
      Number.MAX_SAFE_INTEGER,
    ];
    for (const locale of ['en-US', 'en-CA', 'fr-CA', 'de-DE', 'en-IN', 'ja-JP'])
      for (const currency of ['USD', 'CAD', 'EUR', 'JPY', 'KWD'])
        for (const v of values)
          expect(formatMoney(v, currency, locale), `${v} ${currency} ${locale}`).toBe(
            reference(v, currency, locale),
          );
  });
});
