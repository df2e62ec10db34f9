/**
 * The one clock. Business "today" is a calendar date (YYYY-MM-DD) in a time zone; `now()` is
 * the instant every business timestamp is written with (payments, their status history,
 * activities, autopay, sessions, tokens). Business code never asks `new Date()`, `Date.now()` or
 * the database's `now()` (the database's clock is not pinned, and not faked in tests).
 *
 * Without SYSTEM_DATE: `now()` is wall time and `today(zone)` is its date in the zone.
 *
 * With SYSTEM_DATE (tests, demos) the business date is pinned:
 * - `today(zone)` is the pinned date in every zone;
 * - `now()` is the pinned date at the wall clock's current time of day in the reference zone
 *   (`timeZone`, America/New_York by default: the labels' zone), i.e. wall time shifted by whole
 *   days (and by an hour when daylight saving differs between the two dates). So what is made
 *   "now" falls on the pinned date in that zone whatever the real date, time passes at its real
 *   pace between calls (session time-outs, retries), and two processes pinned to the same date
 *   agree on the time. Once a day, at midnight in the reference zone, `now()` steps back 24
 *   hours: the date stays pinned.
 * `advance(ms)` (tests) adds to `now()` after that, so it moves time by exactly `ms`; it does
 * not move a pinned `today()`.
 */
export interface Clock {
  /** Business date in the given IANA time zone, e.g. the private label's. */
  today(timeZone: string): string;
  now(): Date;
}

const DAY_MS = 86_400_000;

export function createClock(
  opts: {
    systemDate?: string | undefined;
    /** The zone whose time of day `now()` keeps when the date is pinned. */
    timeZone?: string;
    /** The wall clock (tests inject one). */
    wallNow?: () => number;
  } = {},
): Clock & {
  advance(ms: number): void;
} {
  let offsetMs = 0;
  const wall = opts.wallNow ?? Date.now;
  const zone = opts.timeZone ?? 'America/New_York';
  const pinned = opts.systemDate;
  return {
    today(timeZone: string): string {
      if (pinned) return pinned;
      return isoDateInZone(new Date(wall() + offsetMs), timeZone);
    },
    now(): Date {
      const w = wall();
      return new Date((pinned ? onPinnedDate(w, pinned, zone) : w) + offsetMs);
    },
    advance(ms: number): void {
      offsetMs += ms;
    },
  };
}

/** The instant on `date` (in `zone`) at the local time of day that `wallMs` has in `zone`. */
function onPinnedDate(wallMs: number, date: string, zone: string): number {
  const shifted = wallMs + daysBetween(isoDateInZone(new Date(wallMs), zone), date) * DAY_MS;
  // Same local time of day even when daylight saving differs between the two dates.
  return shifted + zoneOffsetMs(wallMs, zone) - zoneOffsetMs(shifted, zone);
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

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** How far the zone's local time is ahead of UTC at that instant, in ms (New York in winter: -5 h). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  let fmt = offsetFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormats.set(timeZone, fmt);
  }
  const n: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(ms))) if (p.type !== 'literal') n[p.type] = Number(p.value);
  const local = Date.UTC(n.year!, n.month! - 1, n.day!, n.hour!, n.minute!, n.second!);
  return local - (ms - (((ms % 1000) + 1000) % 1000));
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
