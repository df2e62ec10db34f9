/**
 * Every scheduled job in one list. Jobs coordinate through Postgres (row locks, unique rows),
 * so any number of workers may run them. The worker process runs them; with the embedded
 * database (one process only) the web process runs them itself.
 */
import cron from 'node-cron';
import type { Knex } from 'knex';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';

export interface Job {
  name: string;
  schedule: string;
  run(db: Knex, now: Date): Promise<string>;
}

export const jobs: Job[] = [
  {
    name: 'prune-expired-sessions',
    schedule: '*/15 * * * *',
    async run(db, now) {
      const n = await db('sessions').where('expire', '<', now).del();
      return `${n} sessions removed`;
    },
  },
  {
    name: 'prune-rate-limits',
    schedule: '7 * * * *',
    async run(db, now) {
      const n = await db('rate_limits').where('expire', '<', now.getTime()).del();
      return `${n} counters removed`;
    },
  },
];

export function startJobs(db: Knex, clock: Clock, logger: Logger): { stop(): Promise<void> } {
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      async () => {
        try {
          const result = await job.run(db, clock.now());
          logger.info({ job: job.name, result }, 'job finished');
        } catch (err) {
          logger.error({ job: job.name, err }, 'job failed');
        }
      },
      { name: job.name, noOverlap: true },
    ),
  );
  logger.info({ jobs: jobs.map((j) => `${j.name} (${j.schedule})`) }, 'jobs scheduled');
  return {
    async stop() {
      for (const t of tasks) await t.stop();
    },
  };
}
