/** The background worker (`npm run worker`): runs src/jobs.ts against DATABASE_URL. */
import { loadConfigOrExit } from './config.ts';
import { boot, stopOnSignals } from './boot.ts';
import { startJobs } from './jobs.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    console.error(
      'The worker needs DATABASE_URL. With the embedded database, `npm start` runs the jobs itself.',
    );
    process.exit(1);
  }
  const booted = await boot(config);
  const jobs = startJobs(booted.deps);
  // SIGTERM/SIGINT: no new runs; the runs in progress finish, then the database closes, exit 0.
  stopOnSignals(booted, { jobs });
}

await main();
