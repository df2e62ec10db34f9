import { describe, expect, it } from 'vitest';
import {
  nextRunAt,
  periodKey,
  zonedInstant,
  type ScheduleTiming,
} from '../../src/modules/reports/reports.schedule-time.ts';

const NY = 'America/New_York';
const at = (iso: string): Date => new Date(iso);
const daily = (time: string, timeZone = NY): ScheduleTiming => ({
  frequency: 'daily',
  timeOfDay: time,
  timeZone,
});
const monthly = (day: number, time = '07:00', timeZone = NY): ScheduleTiming => ({
  frequency: 'monthly',
  monthDay: day,
  timeOfDay: time,
  timeZone,
});

describe('nextRunAt', () => {
  it('runs daily at the local time, later the same day or the next day', () => {
    expect(nextRunAt(daily('07:00'), at('2026-11-16T11:00:00Z')).toISOString()).toBe(
      '2026-11-16T12:00:00.000Z',
    );
    expect(nextRunAt(daily('07:00'), at('2026-11-16T12:00:00Z')).toISOString()).toBe(
      '2026-11-17T12:00:00.000Z',
    );
  });

  it('keeps the wall-clock time across the March change in New York', () => {
    // 7 March 2026 is EST (−5), 8 March EDT (−4).
    expect(nextRunAt(daily('07:00'), at('2026-03-07T13:00:00Z')).toISOString()).toBe(
      '2026-03-08T11:00:00.000Z',
    );
    // 02:30 does not exist on 8 March: it runs at 03:30 EDT.
    expect(nextRunAt(daily('02:30'), at('2026-03-08T05:00:00Z')).toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    expect(nextRunAt(daily('02:30'), at('2026-03-08T08:00:00Z')).toISOString()).toBe(
      '2026-03-09T06:30:00.000Z',
    );
  });

  it('runs once at the first 01:30 on the November change in New York', () => {
    // 1 November 2026: 01:30 EDT (05:30Z) and 01:30 EST (06:30Z); the first one only.
    expect(nextRunAt(daily('01:30'), at('2026-11-01T04:00:00Z')).toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    expect(nextRunAt(daily('01:30'), at('2026-11-01T05:30:00Z')).toISOString()).toBe(
      '2026-11-02T06:30:00.000Z',
    );
    expect(nextRunAt(daily('07:00'), at('2026-10-31T12:00:00Z')).toISOString()).toBe(
      '2026-11-01T12:00:00.000Z',
    );
  });

  it('runs weekly on the weekday', () => {
    // Monday 16 Nov 2026 after 07:00 → Monday 23 Nov; Friday (5) → 20 Nov.
    const mon: ScheduleTiming = { frequency: 'weekly', weekday: 1, timeOfDay: '07:00', timeZone: NY };
    expect(nextRunAt(mon, at('2026-11-16T13:00:00Z')).toISOString()).toBe('2026-11-23T12:00:00.000Z');
    expect(nextRunAt({ ...mon, weekday: 5 }, at('2026-11-16T13:00:00Z')).toISOString()).toBe(
      '2026-11-20T12:00:00.000Z',
    );
  });

  it('falls back to the last day of short months, and to 29 February in leap years', () => {
    expect(nextRunAt(monthly(31), at('2026-01-31T13:00:00Z')).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(nextRunAt(monthly(31), at('2026-02-28T13:00:00Z')).toISOString()).toBe('2026-03-31T11:00:00.000Z');
    expect(nextRunAt(monthly(31), at('2026-04-01T00:00:00Z')).toISOString()).toBe('2026-04-30T11:00:00.000Z');
    expect(nextRunAt(monthly(30), at('2028-02-01T00:00:00Z')).toISOString()).toBe('2028-02-29T12:00:00.000Z');
    expect(nextRunAt(monthly(29), at('2027-02-01T00:00:00Z')).toISOString()).toBe('2027-02-28T12:00:00.000Z');
    expect(nextRunAt(monthly(15), at('2026-11-16T00:00:00Z')).toISOString()).toBe('2026-12-15T12:00:00.000Z');
  });

  it('uses other zones and crosses the year end', () => {
    expect(nextRunAt(daily('23:30', 'Asia/Tokyo'), at('2026-12-31T15:00:00Z')).toISOString()).toBe(
      '2027-01-01T14:30:00.000Z',
    );
    // Sydney springs forward on 4 Oct 2026 at 02:00 (+10 → +11): 02:30 runs at 03:30 AEDT.
    expect(nextRunAt(daily('02:30', 'Australia/Sydney'), at('2026-10-03T14:00:00Z')).toISOString()).toBe(
      '2026-10-03T16:30:00.000Z',
    );
    expect(nextRunAt(daily('02:30', 'Australia/Sydney'), at('2026-10-04T00:00:00Z')).toISOString()).toBe(
      '2026-10-04T15:30:00.000Z',
    );
  });

  it('keys the period by the local date', () => {
    expect(periodKey(at('2026-11-17T03:00:00Z'), NY)).toBe('2026-11-16');
    expect(zonedInstant('2026-07-01', '00:00', 'UTC').toISOString()).toBe('2026-07-01T00:00:00.000Z');
  });
});
