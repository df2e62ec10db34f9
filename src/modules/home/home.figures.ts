/**
 * The Home figures as pure functions of rows, so each rule of docs/domain.md is tested on
 * hand-made cases without a database.
 */
import { daysBetween } from '../../lib/clock.ts';
import { convertMinor } from '../../lib/money.ts';

export interface Rate {
  from: string;
  to: string;
  rate: string;
  asOf: string;
}

export interface OpenBalanceRow {
  currency: string;
  overdueMinor: number;
  oldestOverdue: string | null;
  nextDueMinor: number;
  nextDueDate: string | null;
  overdueCount: number;
}

export interface InvoiceCard {
  currency: string;
  overdueMinor: number;
  overdueDays: number;
  overdueCount: number;
  nextDueMinor: number;
  nextDueDate: string | null;
  totalDueMinor: number;
  /** Set when a balance in another currency could not be converted (no rate on file). */
  unconverted: string[];
}

/** Finds the latest rate from → to, or the inverse of to → from. */
export function findRate(
  rates: Rate[],
  from: string,
  to: string,
): { rate: string; asOf: string } | undefined {
  if (from === to) return { rate: '1', asOf: '' };
  const direct = rates
    .filter((r) => r.from === from && r.to === to)
    .sort((a, b) => b.asOf.localeCompare(a.asOf))[0];
  if (direct) return { rate: direct.rate, asOf: direct.asOf };
  const inverse = rates
    .filter((r) => r.from === to && r.to === from)
    .sort((a, b) => b.asOf.localeCompare(a.asOf))[0];
  if (inverse) return { rate: (1 / Number(inverse.rate)).toFixed(8), asOf: inverse.asOf };
  return undefined;
}

export function convert(minor: number, from: string, to: string, rates: Rate[]): number | undefined {
  if (from === to) return minor;
  const r = findRate(rates, from, to);
  return r ? convertMinor(minor, r.rate, from, to) : undefined;
}

export function overdueDays(oldestOverdue: string | null, today: string): number {
  return oldestOverdue ? Math.max(0, daysBetween(oldestOverdue, today)) : 0;
}

/** Overdue, Next Due and Total Due in the label's primary currency. */
export function invoiceCard(
  rows: OpenBalanceRow[],
  currency: string,
  today: string,
  rates: Rate[],
): InvoiceCard {
  let overdueMinor = 0;
  let nextDueMinor = 0;
  let overdueCount = 0;
  let oldest: string | null = null;
  let nextDueDate: string | null = null;
  const unconverted: string[] = [];
  for (const r of rows) {
    const od = convert(r.overdueMinor, r.currency, currency, rates);
    const nd = convert(r.nextDueMinor, r.currency, currency, rates);
    if (od === undefined || nd === undefined) {
      unconverted.push(r.currency);
      continue;
    }
    overdueMinor += od;
    nextDueMinor += nd;
    overdueCount += r.overdueCount;
    if (r.oldestOverdue && (!oldest || r.oldestOverdue < oldest)) oldest = r.oldestOverdue;
    if (r.nextDueDate && (!nextDueDate || r.nextDueDate < nextDueDate)) nextDueDate = r.nextDueDate;
  }
  return {
    currency,
    overdueMinor,
    overdueDays: overdueDays(oldest, today),
    overdueCount,
    nextDueMinor,
    nextDueDate,
    totalDueMinor: overdueMinor + nextDueMinor,
    unconverted,
  };
}

export interface CreditFigures {
  currency: string;
  totalMinor: number;
  usedMinor: number;
  availableMinor: number;
  rateAsOf: string | null;
  rate: string | null;
}

export interface ExposureRow {
  currency: string;
  principalMinor: number;
}

/** Used = remaining principal of active contracts + open invoice balances; Available = Total − Used. */
export function creditCorner(
  limitMinor: number,
  limitCurrency: string,
  principal: ExposureRow[],
  openBalances: OpenBalanceRow[],
  rates: Rate[],
): CreditFigures {
  let used = 0;
  for (const p of principal) used += convert(p.principalMinor, p.currency, limitCurrency, rates) ?? 0;
  for (const b of openBalances)
    used += convert(b.overdueMinor + b.nextDueMinor, b.currency, limitCurrency, rates) ?? 0;
  return {
    currency: limitCurrency,
    totalMinor: limitMinor,
    usedMinor: used,
    availableMinor: limitMinor - used,
    rateAsOf: null,
    rate: null,
  };
}

/** Re-shows the credit figures in another allowed currency at the latest rate, with its date. */
export function creditIn(figures: CreditFigures, target: string, rates: Rate[]): CreditFigures | undefined {
  if (target === figures.currency) return figures;
  const r = findRate(rates, figures.currency, target);
  if (!r) return undefined;
  const c = (m: number): number => convertMinor(m, r.rate, figures.currency, target);
  const totalMinor = c(figures.totalMinor);
  const usedMinor = c(figures.usedMinor);
  // Available is derived again so the three figures shown always add up.
  return {
    currency: target,
    totalMinor,
    usedMinor,
    availableMinor: totalMinor - usedMinor,
    rateAsOf: r.asOf,
    rate: r.rate,
  };
}
