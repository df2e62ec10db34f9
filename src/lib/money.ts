/**
 * Money is an integer number of minor units plus an ISO 4217 code, from the database to the
 * view. Parsing and conversion use BigInt/string arithmetic, never `x * 100` on floats.
 */
import { stringMemo } from './memo.ts';

export interface Money {
  minor: number;
  currency: string;
}

/**
 * Intl formatters are costly to build (tens of microseconds each) and pages format thousands of
 * amounts: one per currency (and locale), built on first use and kept. The sets are small
 * (a handful of currencies and locales); an unknown code still throws as before.
 */
const digitsCache = new Map<string, number>();
const moneyFormats = new Map<string, Intl.NumberFormat>();

export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

function moneyFormat(locale: string, currency: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let fmt = moneyFormats.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      // 'symbol' shows CA$ / US$ where the locale's own currency would otherwise look the same.
      currencyDisplay: 'symbol',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    moneyFormats.set(key, fmt);
  }
  return fmt;
}

const formattedMoney = stringMemo(50_000);

export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  return formattedMoney(`${locale}|${currency}|${minor}`, () => format(minor, currency, locale));
}

function format(minor: number, currency: string, locale: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const scale = 10 ** digits;
  const major = Math.trunc(abs / scale);
  const fmt = moneyFormat(locale, currency, digits);
  // Format the whole major units with grouping ("$1,234.00"), then put the exact minor digits
  // in place of the zero fraction: exact for any size, no floating point.
  const whole = fmt.format(major);
  if (digits === 0) return sign + whole;
  const zeros = `${decimalSeparator(fmt)}${'0'.repeat(digits)}`;
  const at = whole.lastIndexOf(zeros);
  const fraction = String(abs % scale).padStart(digits, '0');
  return sign + whole.slice(0, at + zeros.length - digits) + fraction + whole.slice(at + zeros.length);
}

const separators = new WeakMap<Intl.NumberFormat, string>();
function decimalSeparator(fmt: Intl.NumberFormat): string {
  let sep = separators.get(fmt);
  if (sep === undefined) {
    sep = fmt.formatToParts(1).find((p) => p.type === 'decimal')?.value ?? '.';
    separators.set(fmt, sep);
  }
  return sep;
}

/** Parses "1,234.56" / "1234.5" / "1234" into minor units; undefined when not a plain amount. */
export function parseMoney(input: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const cleaned = input
    .trim()
    .replace(/[,\s]/g, '')
    .replace(/^[$€£]/, '');
  const m = /^(\d{1,13})(?:\.(\d*))?$/.exec(cleaned);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  if (frac.length > digits) return undefined;
  const minor = BigInt(m[1] ?? '0') * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(minor);
}

/**
 * Converts minor units with a decimal rate given as a string (as Postgres numeric returns it),
 * rounding half away from zero.
 */
export function convertMinor(minor: number, rate: string, from: string, to: string): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) throw new RangeError(`bad rate: ${rate}`);
  const fracDigits = (m[2] ?? '').length;
  const rateInt = BigInt((m[1] ?? '0') + (m[2] ?? ''));
  const shift = minorDigits(to) - minorDigits(from);
  let num = BigInt(minor) * rateInt;
  let den = 10n ** BigInt(fracDigits);
  if (shift > 0) num *= 10n ** BigInt(shift);
  if (shift < 0) den *= 10n ** BigInt(-shift);
  const neg = num < 0n;
  const abs = neg ? -num : num;
  const q = (abs * 2n + den) / (2n * den);
  return Number(neg ? -q : q);
}
