/**
 * What every entry point (web, worker, the benchmark's server) does to start and stop: the
 * database opened and migrated, the container built, and a graceful stop on SIGTERM/SIGINT.
 */
import type { Server } from 'node:http';
import type { Config } from './config.ts';
import { createContainer, type Deps } from './container.ts';
import { migrateLatest } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { createClock, type Clock } from './lib/clock.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { createMailer, type Mailer } from './lib/mailer.ts';

export interface Booted {
  deps: Deps;
  logger: Logger;
  clock: Clock;
  mailer: Mailer;
  db: Awaited<ReturnType<typeof openDatabase>>;
}

/**
 * Opens (or exits with a message naming the database) and migrates the database, then builds the
 * container. `beforeContainer` runs on the migrated database first (the web process seeds there).
 */
export async function boot(
  config: Config,
  beforeContainer?: (b: Omit<Booted, 'deps' | 'mailer'>) => Promise<void>,
): Promise<Booted> {
  const logger = createLogger(config.logLevel);
  const clock = createClock({ systemDate: config.systemDate });
  const db = await openDatabase(config).catch((err: unknown) => {
    console.error(
      `Could not open the database${config.databaseUrl ? ' at DATABASE_URL' : ` under ${config.dataDir}`}: ${(err as Error).message}`,
    );
    process.exit(1);
  });
  await migrateLatest(db.knex);
  await beforeContainer?.({ logger, clock, db });
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
  return { deps, logger, clock, mailer, db };
}

/**
 * On SIGTERM/SIGINT: `onStop` first (mark the process stopping), then the server (if any) stops
 * taking requests, `cleanup` runs, the mailer and database close, and the process exits; after
 * 25 s it exits anyway.
 */
export function stopOnSignals(
  b: Booted,
  opts: { server?: Server; onStop?: () => void; cleanup?: () => Promise<void> },
): void {
  let stopping = false;
  const finish = async (): Promise<void> => {
    await opts.cleanup?.().catch(() => undefined);
    b.mailer.close();
    await b.db.close().catch(() => undefined);
    process.exit(0);
  };
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    opts.onStop?.();
    b.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    if (!opts.server) return void finish();
    opts.server.close(() => void finish());
    opts.server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
