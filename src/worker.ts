/** The background worker (`npm run worker`): runs src/jobs.ts against DATABASE_URL. */
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/open.ts';
import { migrateLatest } from './db/migrate.ts';
import { startJobs } from './jobs.ts';
import { createClock } from './lib/clock.ts';
import { createLogger } from './lib/logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (!config.databaseUrl) {
    console.error(
      'The worker needs DATABASE_URL. With the embedded database, `npm start` runs the jobs itself.',
    );
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config);
  await migrateLatest(db.knex);
  const jobs = startJobs(db.knex, createClock({ systemDate: config.systemDate }), logger);
  const stop = (): void => {
    void (async () => {
      await jobs.stop();
      await db.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
