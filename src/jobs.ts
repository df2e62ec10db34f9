/**
 * Every scheduled job in one list. Jobs coordinate through Postgres (row locks, unique rows),
 * so any number of workers may run them. The worker process runs them; with the embedded
 * database (one process only) the web process runs them itself.
 */
import cron from 'node-cron';
import type { Deps } from './container.ts';

export interface Job {
  name: string;
  /** node-cron expression; six fields include seconds. */
  schedule: string;
  run(deps: Deps, now: Date): Promise<string>;
}

export const jobs: Job[] = [
  {
    name: 'send-email',
    schedule: '*/15 * * * * *',
    async run(deps) {
      return `${await deps.outbox.drain()} sent`;
    },
  },
  {
    name: 'prune-expired-sessions',
    schedule: '*/15 * * * *',
    async run({ db }, now) {
      return `${await db('sessions').where('expire', '<', now).del()} sessions removed`;
    },
  },
  {
    // Scheduled payments whose date has come; payments left pending by a crash (same key again).
    name: 'submit-due-payments',
    schedule: '*/30 * * * * *',
    async run(deps, now) {
      return `${await deps.payments.runDue(now)} payments submitted`;
    },
  },
  {
    name: 'settle-ach-payments',
    schedule: '*/30 * * * * *',
    async run(deps, now) {
      const r = await deps.payments.settleInProgress(now);
      return `${r.settled} settled, ${r.failed} failed`;
    },
  },
  {
    name: 'autopay',
    schedule: '0 */5 * * * *',
    async run(deps) {
      const r = await deps.autopay.run();
      return `${r.submitted} autopay payments, ${r.skipped} skipped`;
    },
  },
  {
    // Reports (issue 6): due schedules, once per period however many workers run.
    name: 'scheduled-reports',
    schedule: '20 * * * * *',
    async run(deps, now) {
      return `${await deps.reportSchedules.runDue(now)} scheduled reports built`;
    },
  },
  {
    // Invoice reminders (/account notification settings): at most once a day per user and label.
    name: 'due-reminders',
    schedule: '40 */10 * * * *',
    async run(deps) {
      return `${await deps.notifications.sendDueReminders()} invoice reminders queued`;
    },
  },
  {
    // Completed location changes whose move date has come (label's zone): the asset takes the new address.
    name: 'apply-due-location-moves',
    schedule: '30 */10 * * * *',
    async run(deps) {
      return `${await deps.locationChanges.applyDueMoves(await deps.labels.all())} assets moved`;
    },
  },
  {
    // One row per customer in customer_changes (the data versions keep their sums).
    name: 'compact-customer-changes',
    schedule: '50 */10 * * * *',
    async run(deps) {
      return `${await deps.customersRepo.compactChanges()} customers' changes folded`;
    },
  },
  {
    // Sent e-mails are kept 30 days (PRUNE_SENT_AFTER_DAYS), then deleted: less personal data at rest.
    name: 'prune-sent-email',
    schedule: '23 3 * * *',
    async run(deps) {
      return `${await deps.outbox.pruneSent()} sent e-mails removed`;
    },
  },
  {
    name: 'prune-rate-limits',
    schedule: '7 * * * *',
    async run({ db }, now) {
      return `${await db('rate_limits').where('expire', '<', now.getTime()).del()} counters removed`;
    },
  },
];

export function startJobs(deps: Deps): { stop(): Promise<void> } {
  const { logger, clock } = deps;
  // Runs in progress: node-cron's stop() only stops scheduling, so stop() below waits for these.
  const running = new Set<Promise<void>>();
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      () => {
        const run = (async () => {
          try {
            const result = await job.run(deps, clock.now());
            logger.debug({ job: job.name, result }, 'job finished');
          } catch (err) {
            logger.error({ job: job.name, err }, 'job failed');
          }
        })();
        running.add(run);
        void run.finally(() => running.delete(run));
        return run;
      },
      { name: job.name, noOverlap: true },
    ),
  );
  logger.info({ jobs: jobs.map((j) => `${j.name} (${j.schedule})`) }, 'jobs scheduled');
  return {
    /** Starts no more runs, then waits for the runs in progress to finish. */
    async stop() {
      for (const t of tasks) await t.stop();
      if (running.size) logger.info({ runs: running.size }, 'waiting for the jobs in progress');
      await Promise.all(running);
    },
  };
}
