/** The background worker (`npm run worker`): runs src/jobs.ts against DATABASE_URL. */
import { loadConfigOrExit } from './config.ts';
import { openDatabase } from './db/open.ts';
import { migrateLatest } from './db/migrate.ts';
import { startJobs } from './jobs.ts';
import { createClock } from './lib/clock.ts';
import { createLogger } from './lib/logger.ts';
import { createMailer } from './lib/mailer.ts';
import { createContainer } from './container.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    console.error(
      'The worker needs DATABASE_URL. With the embedded database, `npm start` runs the jobs itself.',
    );
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config);
  await migrateLatest(db.knex);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, mailDir: config.mailDir, from: config.mailFrom });
  const clock = createClock({ systemDate: config.systemDate });
  const deps = createContainer({
    config,
    db: db.knex,
    databaseUrl: db.url,
    poolMax: db.poolMax,
    clock,
    logger,
    mailer,
  });
  const jobs = startJobs(deps);
  const stop = (): void => {
    void (async () => {
      await jobs.stop();
      mailer.close();
      await db.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
