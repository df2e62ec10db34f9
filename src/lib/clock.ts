/**
 * The one clock. Business "today" is a calendar date (YYYY-MM-DD) in a time zone, pinned by
 * SYSTEM_DATE when set. `now()` is wall time for timestamps and session expiry; tests may
 * advance it.
 */
export interface Clock {
  /** Business date in the given IANA time zone, e.g. the private label's. */
  today(timeZone: string): string;
  now(): Date;
}

export function createClock(opts: { systemDate?: string | undefined } = {}): Clock & {
  advance(ms: number): void;
} {
  let offsetMs = 0;
  return {
    today(timeZone: string): string {
      if (opts.systemDate) return opts.systemDate;
      return isoDateInZone(new Date(Date.now() + offsetMs), timeZone);
    },
    now(): Date {
      return new Date(Date.now() + offsetMs);
    },
    advance(ms: number): void {
      offsetMs += ms;
    },
  };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

export function isoDateInZone(d: Date, timeZone: string): string {
  let fmt = zoneFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    zoneFormats.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(d);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Whole days from `a` to `b` (both YYYY-MM-DD); positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Adds calendar months; day 29–31 falls back to the month's last day. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** True for a real calendar date written YYYY-MM-DD (not 2026-02-30 nor 2026-13-01). */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}
