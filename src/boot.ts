/**
 * What every entry point (web, worker, the benchmark's server) does to start and stop: the
 * database opened and migrated, the container built, and a graceful stop on SIGTERM/SIGINT.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
  // Until stopOnSignals takes over: a stop asked for while starting ends the process (as PID 1
  // in a container, node would otherwise ignore SIGTERM and wait to be killed).
  process.on('SIGTERM', stopWhileStarting);
  process.on('SIGINT', stopWhileStarting);
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

function stopWhileStarting(signal: NodeJS.Signals): void {
  console.error(`${signal} while starting: exiting`);
  process.exit(1);
}

/** How long a graceful stop may take before the process exits anyway (Kubernetes' default grace). */
export const STOP_TIMEOUT_MS = 30_000;

/**
 * On SIGTERM/SIGINT, once (a repeated signal changes nothing):
 * 1. `onStop` marks the process stopping (so /readyz answers 503), and the jobs stop starting
 *    runs;
 * 2. the server takes no new connections, closes its idle keep-alive ones, and finishes every
 *    request in flight, each response sent with `Connection: close` so the client opens no
 *    further request on that connection (see `drainOnStop`);
 * 3. once the connections are gone and the jobs' runs in progress have finished, `cleanup`
 *    runs, the mailer and the database (pool and embedded server) close, and the process exits
 *    with 0 (1 if a step failed). After STOP_TIMEOUT_MS it logs why and exits with 1 anyway.
 */
export function stopOnSignals(
  b: Booted,
  opts: {
    server?: Server;
    jobs?: { stop(): Promise<void> };
    onStop?: () => void;
    cleanup?: () => Promise<void>;
    timeoutMs?: number;
  },
): void {
  let stopping = false;
  const http = opts.server && drainOnStop(opts.server, () => stopping);
  const timeoutMs = opts.timeoutMs ?? STOP_TIMEOUT_MS;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    opts.onStop?.();
    b.logger.info({ signal, requestsInFlight: http?.inFlight() }, 'stopping');
    setTimeout(() => {
      b.logger.error(
        { timeoutMs, requestsInFlight: http?.inFlight() },
        `graceful stop did not finish within ${timeoutMs / 1000} s: exiting anyway`,
      );
      process.exit(1);
    }, timeoutMs);
    let failed = false;
    const step = async (name: string, run: () => Promise<void> | void): Promise<void> => {
      try {
        await run();
      } catch (err) {
        failed = true;
        b.logger.error({ err, step: name }, 'stop step failed');
      }
    };
    await Promise.all([step('http', () => http?.close()), step('jobs', () => opts.jobs?.stop())]);
    await step('cleanup', () => opts.cleanup?.());
    await step('mailer', () => b.mailer.close());
    await step('database', () => b.db.close());
    b.logger.info({ signal, ...http?.counts() }, 'stopped');
    process.exit(failed ? 1 : 0);
  };
  process.off('SIGTERM', stopWhileStarting);
  process.off('SIGINT', stopWhileStarting);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** How long a connection whose last response went out as keep-alive may still bring a request. */
const IDLE_GRACE_MS = 100;

/**
 * Lets a server finish its requests when stopping. Every response written once `isStopping()`
 * says so carries `Connection: close` (Node then closes the connection after it); a response
 * whose headers went out before leaves its connection idle, closed IDLE_GRACE_MS after it ends. `close()` stops accepting,
 * closes the idle keep-alive connections (`server.close()` does that since Node 19) and resolves
 * when the last connection has gone. Counts: requests served, and responses cut off unfinished.
 */
export function drainOnStop(server: Server, isStopping: () => boolean) {
  const inFlight = new Set<ServerResponse>();
  let served = 0;
  let cutOff = 0;
  const closeAfter = (res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  // Before the app's own listener, so even a response written synchronously is covered.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    if (isStopping()) closeAfter(res);
    res.on('finish', () => {
      served++;
      // Headers sent before the stop said keep-alive: a request the client sends on it soon is
      // served (with `Connection: close`), else the connection is closed as idle. A request
      // crossing that close is never read, so the client may safely send it again.
      if (isStopping() && !/close/i.test(String(res.getHeader('Connection') ?? '')))
        setTimeout(() => server.closeIdleConnections(), IDLE_GRACE_MS);
    });
    res.on('close', () => {
      inFlight.delete(res);
      if (!res.writableFinished) cutOff++;
    });
  });
  return {
    inFlight: () => inFlight.size,
    counts: () => ({ requestsServed: served, responsesCutOff: cutOff }),
    close(): Promise<void> {
      for (const res of inFlight) closeAfter(res);
      return new Promise<void>((resolve) => {
        // A turn later: requests whose bytes were read in this turn count as in flight then,
        // not as idle connections to close.
        setImmediate(() => server.close(() => resolve()));
      });
    },
  };
}
