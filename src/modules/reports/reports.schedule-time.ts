/**
 * When a schedule runs next: a pure function of the schedule and an instant. Times are wall-clock
 * times in the schedule's IANA time zone: a time that does not exist on a spring-forward day runs
 * an hour later (02:30 → 03:30), a time that occurs twice on a fall-back day runs the first time.
 * Monthly days 29–31 fall back to the month's last day.
 */
export interface ScheduleTiming {
  frequency: 'daily' | 'weekly' | 'monthly';
  /** 0 = Sunday … 6 = Saturday (weekly). */
  weekday?: number | null;
  /** 1–31 (monthly). */
  monthDay?: number | null;
  /** "HH:MM", 24-hour. */
  timeOfDay: string;
  timeZone: string;
}

const DAY = 86_400_000;

/** The zone's offset from UTC at instant `t`, in ms (local − UTC). */
function offsetAt(timeZone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const n = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(t / 1000) * 1000;
}

/** The instant of a wall-clock date and time in a zone (gap → later, overlap → earlier). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The offsets around the day (a zone changes at most once within it).
  const before = offsetAt(timeZone, wall - 12 * 3_600_000);
  const after = offsetAt(timeZone, wall + 12 * 3_600_000);
  const valid = [wall - before, wall - after].filter((t) => t + offsetAt(timeZone, t) === wall);
  // Two valid instants: a repeated hour, take the first. None: a skipped hour, keep the offset
  // from before the change, which lands as far past the gap as the time was into it.
  return new Date(valid.length ? Math.min(...valid) : wall - before);
}

/** The calendar date of an instant in a zone. */
export function zonedDate(t: Date, timeZone: string): string {
  const local = new Date(t.getTime() + offsetAt(timeZone, t.getTime()));
  return local.toISOString().slice(0, 10);
}

function lastDayOfMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function runsOn(s: ScheduleTiming, date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (s.frequency === 'daily') return true;
  if (s.frequency === 'weekly') return new Date(Date.UTC(y, m - 1, d)).getUTCDay() === (s.weekday ?? 1);
  return d === Math.min(s.monthDay ?? 1, lastDayOfMonth(y, m));
}

/** The first run strictly after `after`. */
export function nextRunAt(s: ScheduleTiming, after: Date): Date {
  const start = Date.parse(`${zonedDate(after, s.timeZone)}T00:00:00Z`) - DAY;
  for (let i = 0; i < 70; i++) {
    const date = new Date(start + i * DAY).toISOString().slice(0, 10);
    if (!runsOn(s, date)) continue;
    const at = zonedInstant(date, s.timeOfDay, s.timeZone);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new Error('no next run within 70 days');
}

/** The period a run at `at` belongs to: its local date ("2026-11-16"). */
export function periodKey(at: Date, timeZone: string): string {
  return zonedDate(at, timeZone);
}
