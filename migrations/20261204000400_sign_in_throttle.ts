/**
 * Sign-in throttling with growing delays (src/modules/auth/throttle.repository.ts) keeps its
 * counters in rate_limits, next to rate-limiter-flexible's, so the hourly prune job clears them
 * too: `points` counts failures, `expire` is when the counter is forgotten (ms), and the new
 * `blocked_until` (ms) is the end of the current delay.
 *
 * Two-step secrets (users.totp_secret) are sealed with AES-256-GCM by the application from now
 * on ('v1.' prefix). This migration cannot read them: it does not hold the key
 * (TWO_STEP_ENCRYPTION_KEY), and a migration run with another environment than the app's would
 * seal them with a key the app does not know. Rows written before stay readable and are sealed
 * by the app the first time they are used (two-step.service.ts).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table rate_limits add column blocked_until bigint`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table rate_limits drop column if exists blocked_until`);
}
