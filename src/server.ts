/** Starts the portal: configuration, database (embedded by default), migrations, demo data, HTTP. */
import type { Server } from 'node:http';
import { loadConfigOrExit } from './config.ts';
import { createApp } from './app.ts';
import { boot, stopOnSignals } from './boot.ts';
import { startJobs } from './jobs.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  let demoLogins: string | undefined;
  const booted = await boot(config, async ({ db, clock, logger }) => {
    if (!config.seedDemo) return;
    const { isSeeded, seedDemo, demoLoginsTable } = await import('../seeds/demo.ts');
    if (!(await isSeeded(db.knex))) {
      const asOf = clock.today('America/New_York');
      const summary = await seedDemo(db.knex, { asOf });
      logger.info({ summary, asOf }, 'seeded demo data');
    }
    demoLogins = demoLoginsTable();
  });
  const { deps, db } = booted;
  // One process owns the embedded database, so it runs the worker's jobs too.
  const jobs = db.embedded ? startJobs(deps) : undefined;
  let stopping = false;
  const handle = createApp(deps, { isStopping: () => stopping });
  const app = handle.app;

  const server: Server = app.listen(config.port, config.host, (err?: Error) => {
    if (err) {
      console.error(`Could not listen on ${config.host}:${config.port}: ${err.message}`);
      process.exit(1);
    }
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    console.log(`\nCustomer Portal is running at ${url}`);
    console.log(
      db.embedded ? `Database: embedded PostgreSQL in ${config.dataDir}/pglite` : 'Database: DATABASE_URL',
    );
    console.log(config.smtpUrl ? 'Mail: SMTP_URL' : `Mail: .eml files in ${config.mailDir}`);
    if (demoLogins) console.log(`\n${demoLogins}\n`);
  });

  // SIGTERM/SIGINT: /readyz 503 at once, requests in flight finished, jobs' runs finished,
  // then the database closed and exit 0 (src/boot.ts).
  stopOnSignals(booted, {
    server,
    jobs,
    onStop: () => {
      stopping = true;
    },
    cleanup: () => handle.close(),
  });
}

await main();
