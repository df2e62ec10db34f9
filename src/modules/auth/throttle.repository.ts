/**
 * Attempt counters with growing delays, kept in PostgreSQL (table rate_limits, shared by every
 * web instance) and taken atomically BEFORE a password or code is checked: one
 * INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING per attempt, so concurrent requests
 * queue on the row and no more than `free` of them get through before the first delay.
 *
 * Every attempt counts as a failure when taken; a success gives it back (`refund`) or clears
 * the counter. After `free` failures each further one starts a delay of base × 2^(n − free),
 * capped at max (OWASP: exponential back-off, never a permanent lock). A counter is forgotten
 * `forgetMs` after its last delay ends. Times are the app's clock (ms), never PostgreSQL's now().
 */
import type { Knex } from 'knex';

export interface ThrottleRule {
  /** Failures allowed before delays start. */
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

export type Taken = { ok: true; failures: number } | { ok: false; retryAfterMs: number };

/** The delay after the n-th failure (0 while n < free). */
export function delayAfter(n: number, rule: ThrottleRule): number {
  if (n < rule.free) return 0;
  return Math.min(rule.maxMs, rule.baseMs * 2 ** Math.min(n - rule.free, 40));
}

export function createThrottleRepository(db: Knex) {
  // n: the failure count after this attempt (a forgotten counter starts again at 1).
  const n = '(case when t.expire <= :now then 1 else t.points + 1 end)';
  const delay = `(case when ${n} < :free then 0
    else cast(least(:maxMs, :baseMs * power(2, least(${n} - :free, 40))) as bigint) end)`;
  const take = `
    insert into rate_limits as t (key, points, expire, blocked_until)
    values (:key, 1, :firstExpire, :firstBlocked)
    on conflict (key) do update set
      points = ${n},
      blocked_until = case when ${n} >= :free then :now + ${delay} end,
      expire = :now + ${delay} + :forgetMs
    where t.expire <= :now or t.blocked_until is null or t.blocked_until <= :now
    returning points`;

  return {
    /** Takes one attempt unless the key is in a delay (atomic: the row is locked meanwhile). */
    async take(key: string, rule: ThrottleRule, nowMs: number): Promise<Taken> {
      const first = delayAfter(1, rule);
      const res = await db.raw<{ rows: { points: number }[] }>(take, {
        key,
        now: nowMs,
        free: rule.free,
        baseMs: rule.baseMs,
        maxMs: rule.maxMs,
        forgetMs: rule.forgetMs,
        firstExpire: nowMs + first + rule.forgetMs,
        firstBlocked: rule.free <= 1 ? nowMs + first : null,
      });
      const row = res.rows[0];
      if (row) return { ok: true, failures: row.points };
      const held = (await db('rate_limits').where({ key }).first('blocked_until')) as
        { blocked_until: string | number | null } | undefined;
      return { ok: false, retryAfterMs: Math.max(1000, Number(held?.blocked_until ?? 0) - nowMs) };
    },

    /** Gives back an attempt that turned out not to be a failure (its delay too, below `free`). */
    async refund(key: string, rule: ThrottleRule, nowMs: number): Promise<void> {
      await db.raw(
        `update rate_limits set points = greatest(points - 1, 0),
           blocked_until = case when points - 1 < :free then null else blocked_until end
         where key = :key and expire > :now`,
        { key, free: rule.free, now: nowMs },
      );
    },

    /** Adds a failure to a plain counter (no delay of its own); returns the new count. */
    async bump(key: string, forgetMs: number, nowMs: number): Promise<number> {
      const res = await db.raw<{ rows: { points: number }[] }>(
        `insert into rate_limits as t (key, points, expire) values (:key, 1, :expire)
         on conflict (key) do update set
           points = case when t.expire <= :now then 1 else t.points + 1 end, expire = :expire
         returning points`,
        { key, now: nowMs, expire: nowMs + forgetMs },
      );
      return res.rows[0]?.points ?? 0;
    },

    /** The failures a counter holds now (0 when forgotten). */
    async count(key: string, nowMs: number): Promise<number> {
      const row = (await db('rate_limits').where({ key }).andWhere('expire', '>', nowMs).first('points')) as
        { points: number } | undefined;
      return row?.points ?? 0;
    },

    async clear(key: string): Promise<void> {
      await db('rate_limits').where({ key }).del();
    },
  };
}
export type ThrottleRepository = ReturnType<typeof createThrottleRepository>;
