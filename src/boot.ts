/**
 * What every entry point (web, worker, the benchmark's server) does to start and stop: the
 * database opened and migrated, the container built, and a graceful stop on SIGTERM/SIGINT.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
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
  // Two-step secrets stored in clear before they were sealed at rest: seal them now, so none
  // waits for its owner's next sign-in (a no-op once done; several processes may race harmlessly).
  const sealed = await deps.twoStep.sealLegacySecrets();
  if (sealed > 0) logger.info({ sealed }, 'two-step secrets sealed at rest');
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
 * 2. the server takes no new connections, closes its keep-alive ones as they fall idle, and
 *    finishes every request in flight, each response sent with `Connection: close` so the
 *    client sends no further request on that connection (see `drainOnStop`);
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

/**
 * How long a keep-alive connection must have been idle to be closed while stopping. A client
 * in the middle of its work sends its next request sooner, which is then answered (with
 * `Connection: close`) instead of being cut off as it crosses the close.
 */
const IDLE_MS = 250;

/**
 * Lets a server finish its requests when stopping. Every response written once `isStopping()`
 * says so carries `Connection: close` (Node then closes the connection after it). `close()`
 * stops accepting connections at once and closes each keep-alive connection as soon as it has
 * been idle IDLE_MS (at once for those idle that long already) with nothing of a next request
 * read; it resolves when the last connection has gone. Counts: requests served, and responses
 * cut off unfinished.
 */
export function drainOnStop(server: Server, isStopping: () => boolean) {
  const inFlight = new Set<ServerResponse>();
  const connections = new Map<Socket, { requests: number; idleSince: number; bytesRead: number }>();
  let served = 0;
  let cutOff = 0;
  const closeAfter = (res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { requests: 0, idleSince: performance.now(), bytesRead: 0 });
    socket.once('close', () => connections.delete(socket));
  });
  // Before the app's own listener, so even a response written synchronously is covered.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const conn = connections.get(req.socket);
    if (conn) conn.requests++;
    inFlight.add(res);
    if (isStopping()) closeAfter(res);
    res.on('finish', () => served++);
    res.on('close', () => {
      inFlight.delete(res);
      if (!res.writableFinished) cutOff++;
      if (conn) {
        conn.requests--;
        conn.idleSince = performance.now();
        conn.bytesRead = req.socket.bytesRead;
      }
    });
  });
  /**
   * Idle: no request in progress, no byte of another read since, for IDLE_MS. Checked in the
   * event loop's check phase, right after its poll phase has read what the sockets received
   * (a busy loop may have left a request unread for longer than IDLE_MS).
   */
  const closeIdle = (): void =>
    void setImmediate(() => {
      const now = performance.now();
      for (const [socket, c] of connections)
        if (c.requests === 0 && socket.bytesRead === c.bytesRead && now - c.idleSince >= IDLE_MS)
          socket.destroy();
    });
  return {
    inFlight: () => inFlight.size,
    counts: () => ({ requestsServed: served, responsesCutOff: cutOff }),
    close(): Promise<void> {
      for (const res of inFlight) closeAfter(res);
      return new Promise<void>((resolve) => {
        const sweep = setInterval(closeIdle, IDLE_MS / 5);
        // net's close: stop listening. (http's would also close every idle connection at
        // once, cutting off a request crossing the close.)
        net.Server.prototype.close.call(server, () => {
          clearInterval(sweep);
          resolve();
        });
        closeIdle();
      });
    },
  };
}
