/**
 * The one formula guard for every spreadsheet export (CSV and XLSX), after OWASP's "CSV
 * injection": a TEXT cell starting with `=`, `+`, `-`, `@`, tab or carriage return would be
 * read by a spreadsheet as a formula (`-1+HYPERLINK("http://evil.example")`), so it leaves with a
 * single quote in front. Numbers and amounts are typed values and leave as numbers, never
 * quoted: the guard never has to guess whether a text "looks numeric".
 */
import { minorDigits } from './money.ts';

/** An amount in integer minor units, written as a plain decimal number ("1234.50", "-5.00"). */
export class Amount {
  constructor(
    readonly minor: number,
    readonly currency: string,
  ) {}

  /** Never localised: "1234.50", "-0.05", "150000" for JPY. */
  get text(): string {
    const digits = minorDigits(this.currency);
    const sign = this.minor < 0 ? '-' : '';
    const abs = Math.abs(this.minor);
    if (digits === 0) return `${sign}${abs}`;
    const unit = 10 ** digits;
    return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
  }

  /** As a spreadsheet number (1234.5). */
  get value(): number {
    return this.minor / 10 ** minorDigits(this.currency);
  }
}

export const amount = (minor: number, currency: string): Amount => new Amount(minor, currency);

/** What an export may put in a cell: text, a typed number, an amount or nothing. */
export type Cell = string | number | Amount | null | undefined;

/** Starts a formula in Excel, LibreOffice or Google Sheets (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text made inert for a spreadsheet: a leading `'` when it starts with a formula character. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const numberText = (n: number): string => (Number.isFinite(n) ? String(n) : '');

/** A cell for a CSV file: numbers and amounts as plain numbers, text neutralised. */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return numberText(v);
  if (v instanceof Amount) return v.text;
  return neutralise(v);
}

/** A cell for an XLSX sheet: numbers and amounts as numeric cells, text neutralised. */
export function sheetCell(v: Cell): string | number {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? v : '';
  if (v instanceof Amount) return v.value;
  return neutralise(v);
}

/** A row for csv-stringify (use it without a `cast`: every cell is already text). */
export const csvRow = (cells: readonly Cell[]): string[] => cells.map(csvCell);
