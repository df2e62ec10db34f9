import { describe, expect, it } from 'vitest';
import { addMonths, createClock, daysBetween, isoDateInZone } from '../../src/lib/clock.ts';

describe('clock', () => {
  it('honours SYSTEM_DATE whatever the time zone', () => {
    const c = createClock({ systemDate: '2026-11-16' });
    expect(c.today('America/New_York')).toBe('2026-11-16');
    expect(c.today('Asia/Tokyo')).toBe('2026-11-16');
  });
  it('gives the business date in the label time zone', () => {
    const c = createClock();
    expect(c.today('UTC')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
  it('advances wall time for time-out tests', () => {
    const c = createClock();
    const before = c.now().getTime();
    c.advance(31 * 60_000);
    expect(c.now().getTime() - before).toBeGreaterThanOrEqual(31 * 60_000);
  });
  it('with SYSTEM_DATE, now() is the pinned date at the wall time of day in New York, whatever the real date', () => {
    const NY = 'America/New_York';
    let wall = Date.parse('2027-12-04T15:23:45.678Z'); // 10:23:45.678 in New York, a year on
    const c = createClock({ systemDate: '2026-11-16', wallNow: () => wall });
    expect(c.now().toISOString()).toBe('2026-11-16T15:23:45.678Z');
    // 22:30 in New York is already the next day in UTC: still the pinned date in New York.
    wall = Date.parse('2027-12-05T03:30:00Z');
    expect(c.now().toISOString()).toBe('2026-11-17T03:30:00.000Z');
    expect(isoDateInZone(c.now(), NY)).toBe('2026-11-16');
    // Real time passes between calls; a second process pinned to the same date agrees.
    wall += 90_000;
    expect(c.now().toISOString()).toBe('2026-11-17T03:31:30.000Z');
    expect(createClock({ systemDate: '2026-11-16', wallNow: () => wall }).now()).toEqual(c.now());
    // advance() moves now() by exactly that much, and leaves the pinned business date alone.
    c.advance(31 * 60_000);
    expect(c.now().toISOString()).toBe('2026-11-17T04:02:30.000Z');
    expect(c.today(NY)).toBe('2026-11-16');
  });
  it('keeps the local time of day when daylight saving differs between the wall and pinned dates', () => {
    const wall = Date.parse('2026-12-04T15:00:00Z'); // 10:00 EST
    const summer = createClock({ systemDate: '2026-07-01', wallNow: () => wall });
    expect(summer.now().toISOString()).toBe('2026-07-01T14:00:00.000Z'); // 10:00 EDT
    const late = createClock({ systemDate: '2026-07-01', wallNow: () => Date.parse('2026-12-05T04:59:00Z') });
    expect(isoDateInZone(late.now(), 'America/New_York')).toBe('2026-07-01'); // 23:59 EST → 23:59 EDT
    const tokyo = createClock({ systemDate: '2026-11-16', timeZone: 'Asia/Tokyo', wallNow: () => wall });
    expect(isoDateInZone(tokyo.now(), 'Asia/Tokyo')).toBe('2026-11-16');
  });
  it('adds months falling back to the last day', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-16', 2)).toBe('2027-01-16');
    expect(daysBetween('2026-11-01', '2026-11-16')).toBe(15);
  });
});

describe('isIsoDate', () => {
  it('accepts real dates only', async () => {
    const { isIsoDate } = await import('../../src/lib/clock.ts');
    expect(['2026-11-16', '2028-02-29'].map(isIsoDate)).toEqual([true, true]);
    expect(['2026-13-01', '2026-02-30', '2027-02-29', '16/11/2026', ''].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
