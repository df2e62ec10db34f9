import { describe, expect, it } from 'vitest';
import { addMonths, createClock, daysBetween } from '../../src/lib/clock.ts';

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
