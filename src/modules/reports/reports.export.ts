/**
 * Writes a report as CSV (csv-stringify), XLSX (exceljs streaming WorkbookWriter) or a branded
 * PDF (pdfkit via src/lib/pdf.ts) to a writable stream, consuming rows as they arrive.
 */
import { humanize } from '../../lib/words.ts';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { amount, csvRow, neutralise, sheetCell, type Cell } from '../../lib/csv-cell.ts';
import { createBrandedPdf, type PdfBrand } from '../../lib/pdf.ts';
import { formatMoney } from '../../lib/money.ts';
import type { ReportColumn, ReportDef } from './reports.definitions.ts';
import type { CurrencyTotals, ReportRow } from './reports.repository.ts';

export const FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ReportFormat = (typeof FORMATS)[number];
export const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** Money in minor units as a plain decimal ("1234.50"), never localised. */
export const plainAmount = (minor: number, currency: string): string => amount(minor, currency).text;

const currencyOf = (row: ReportRow): string => String(row.currency ?? 'USD');

/** One date formatter per locale (building one per cell cost seconds on a large PDF). */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function mediumDate(locale: string): Intl.DateTimeFormat {
  let fmt = dateFormats.get(locale);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    dateFormats.set(locale, fmt);
  }
  return fmt;
}

/** A cell as text for CSV and the PDF; `human` formats money for people. */
export function cellText(col: ReportColumn, row: ReportRow, locale: string, human: boolean): string {
  const v = row[col.key];
  if (v === null || v === undefined) return '';
  if (col.kind === 'money') {
    return human ? formatMoney(Number(v), currencyOf(row), locale) : plainAmount(Number(v), currencyOf(row));
  }
  if (col.kind === 'date') {
    const s = String(v).slice(0, 10);
    if (!human || !s) return s;
    return mediumDate(locale).format(new Date(`${s}T12:00:00Z`));
  }
  if (col.kind === 'text' && /^[a-z_]+$/.test(String(v)) && (col.key === 'status' || col.key === 'product')) {
    return humanize(String(v));
  }
  return String(v);
}

/** The totals rows (one per currency) in the column layout of the report. */
export function totalsRows(
  def: ReportDef,
  totals: CurrencyTotals[],
  locale: string,
  human: boolean,
): string[][] {
  return totals.map((t) =>
    def.columns.map((c, i) => {
      if (c.kind === 'money' && def.sums.includes(c.key)) {
        const minor = t.sums[c.key] ?? 0;
        return human ? formatMoney(minor, t.currency, locale) : plainAmount(minor, t.currency);
      }
      if (c.key === 'currency') return t.currency;
      if (i === 0) return `Total (${t.rows} ${t.rows === 1 ? 'row' : 'rows'})`;
      return '';
    }),
  );
}

/**
 * A cell for a spreadsheet (CSV or XLSX): money and counts typed as numbers, everything else
 * text, which src/lib/csv-cell.ts neutralises when it could start a formula.
 */
export function exportCell(col: ReportColumn, row: ReportRow): Cell {
  const v = row[col.key];
  if (v === null || v === undefined) return null;
  if (col.kind === 'money') return amount(Number(v), currencyOf(row));
  if (col.kind === 'int') return Number(v);
  return cellText(col, row, 'en', false);
}

/** The totals rows (one per currency) for a spreadsheet: sums as amounts. */
export function exportTotals(def: ReportDef, totals: CurrencyTotals[]): Cell[][] {
  return totals.map((t) =>
    def.columns.map((c, i) => {
      if (c.kind === 'money' && def.sums.includes(c.key)) return amount(t.sums[c.key] ?? 0, t.currency);
      if (c.key === 'currency') return t.currency;
      if (i === 0) return `Total (${t.rows} ${t.rows === 1 ? 'row' : 'rows'})`;
      return '';
    }),
  );
}

export interface ExportInput {
  def: ReportDef;
  rows: AsyncIterable<ReportRow>;
  totals: CurrencyTotals[];
  brand: PdfBrand;
  /** e.g. "Acme Logistics — as of 16 Nov 2026" */
  subtitle: string;
}

/** The client went away: stop reading rows (which ends the export's cursor and transaction). */
function checkOpen(out: Writable): void {
  if (out.destroyed) throw new Error('The report output closed before the report was written');
}

/** Settles when `out` has finished (rejects if it closed early); never an unhandled rejection. */
function outputDone(out: Writable): Promise<void> {
  const done = finished(out);
  done.catch(() => undefined);
  return done;
}

/** Waits until `from` may be written again, or fails if `out` closes first (never hangs). */
async function drained(from: NodeJS.EventEmitter, out: Writable): Promise<void> {
  checkOpen(out);
  const ac = new AbortController();
  try {
    await Promise.race([
      once(from, 'drain', { signal: ac.signal }),
      once(out, 'close', { signal: ac.signal }).then(() => {
        throw new Error('The report output closed before the report was written');
      }),
    ]);
    checkOpen(out);
  } finally {
    ac.abort();
  }
}

export async function writeReport(format: ReportFormat, input: ExportInput, out: Writable): Promise<void> {
  if (format === 'csv') return writeCsv(input, out);
  if (format === 'xlsx') return writeXlsx(input, out);
  return writePdf(input, out);
}

async function writeCsv({ def, rows, totals }: ExportInput, out: Writable): Promise<void> {
  // Every cell goes through csvRow (the formula guard); no `cast`, so nothing is guarded twice.
  const csv = stringify();
  csv.pipe(out);
  const done = outputDone(out);
  csv.write(csvRow(def.columns.map((c) => c.header)));
  for await (const row of rows) {
    if (!csv.write(csvRow(def.columns.map((c) => exportCell(c, row))))) await drained(csv, out);
  }
  for (const t of exportTotals(def, totals)) csv.write(csvRow(t));
  csv.end();
  await done;
}

async function writeXlsx({ def, rows, totals, brand, subtitle }: ExportInput, out: Writable): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = brand.name;
  wb.title = def.title;
  wb.subject = subtitle;
  const ws = wb.addWorksheet(def.title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = def.columns.map((c) => ({
    header: neutralise(c.header),
    key: c.key,
    width: Math.round(c.weight * 14),
    style: c.kind === 'money' ? { numFmt: '#,##0.00' } : {},
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let n = 0;
  for await (const row of rows) {
    ws.addRow(def.columns.map((c) => sheetCell(exportCell(c, row)))).commit();
    if (++n % 1000 === 0) {
      await new Promise((r) => setImmediate(r));
      checkOpen(out);
    }
  }
  for (const t of exportTotals(def, totals)) {
    const r = ws.addRow(t.map(sheetCell));
    r.font = { bold: true };
    r.commit();
  }
  ws.commit();
  const done = outputDone(out);
  await wb.commit();
  await done;
}

async function writePdf({ def, rows, totals, brand, subtitle }: ExportInput, out: Writable): Promise<void> {
  const landscape = def.columns.length > 6;
  const doc = createBrandedPdf({ title: def.title, brand, subject: subtitle, landscape });
  const done = outputDone(out);
  doc.pipe(out);
  doc.font('Helvetica').fontSize(10).text(subtitle);
  doc.moveDown(0.5);
  const left = doc.page.margins.left;
  const usable = doc.page.width - left - doc.page.margins.right;
  const weightSum = def.columns.reduce((s, c) => s + c.weight, 0);
  const widths = def.columns.map((c) => (usable * c.weight) / weightSum);
  const aligns = def.columns.map((c): 'left' | 'right' =>
    c.kind === 'money' || c.kind === 'int' ? 'right' : 'left',
  );

  const drawRow = (cells: string[], bold: boolean): void => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 6 })));
    if (doc.y + h + 6 > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      drawHeader();
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    }
    const y = doc.y;
    let x = left;
    cells.forEach((c, i) => {
      doc.text(c, x + 3, y + 3, { width: widths[i]! - 6, align: aligns[i] });
      x += widths[i]!;
    });
    doc.y = y + h + 6;
    doc.moveTo(left, doc.y).lineTo(x, doc.y).lineWidth(0.5).strokeColor('#b1b4b6').stroke();
  };
  // The header row, drawn again at the top of each page.
  const drawHeader = (): void =>
    drawRow(
      def.columns.map((c) => c.header),
      true,
    );
  drawHeader();
  let n = 0;
  for await (const row of rows) {
    drawRow(
      def.columns.map((c) => cellText(c, row, brand.locale, true)),
      false,
    );
    if (++n % 200 === 0) {
      await new Promise((r) => setImmediate(r));
      checkOpen(out);
    }
  }
  if (n === 0)
    drawRow(
      def.columns.map((_, i) => (i === 0 ? 'No rows match the filters.' : '')),
      false,
    );
  for (const t of totalsRows(def, totals, brand.locale, true)) drawRow(t, true);
  doc.x = left;
  doc.end();
  await done;
}
