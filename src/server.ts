/** Starts the portal: configuration, database (embedded by default), migrations, demo data, HTTP. */
import type { Server } from 'node:http';
import { loadConfigOrExit } from './config.ts';
import { createApp } from './app.ts';
import { createContainer } from './container.ts';
import { migrateLatest } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { createClock } from './lib/clock.ts';
import { createLogger } from './lib/logger.ts';
import { createMailer } from './lib/mailer.ts';
import { startJobs } from './jobs.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const clock = createClock({ systemDate: config.systemDate });
  const db = await openDatabase(config).catch((err: unknown) => {
    console.error(
      `Could not open the database${config.databaseUrl ? ' at DATABASE_URL' : ` under ${config.dataDir}`}: ${(err as Error).message}`,
    );
    process.exit(1);
  });
  await migrateLatest(db.knex);

  let demoLogins: string | undefined;
  if (config.seedDemo) {
    const { isSeeded, seedDemo, demoLoginsTable } = await import('../seeds/demo.ts');
    if (!(await isSeeded(db.knex))) {
      const asOf = clock.today('America/New_York');
      const summary = await seedDemo(db.knex, { asOf });
      logger.info({ summary, asOf }, 'seeded demo data');
    }
    demoLogins = demoLoginsTable();
  }

  const mailer = createMailer({ smtpUrl: config.smtpUrl, mailDir: config.mailDir, from: config.mailFrom });
  const deps = createContainer({
    config,
    db: db.knex,
    databaseUrl: db.url,
    poolMax: db.poolMax,
    clock,
    logger,
    mailer,
  });
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

  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    server.close(() => {
      void (async () => {
        await jobs?.stop();
        await handle.close().catch(() => undefined);
        mailer.close();
        await db.close().catch(() => undefined);
        process.exit(0);
      })();
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
