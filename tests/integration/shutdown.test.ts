/**
 * Graceful stop, with the real processes: the web server started as the Dockerfile starts it
 * (node as PID 1) and as `npm start` does, each under 20 keep-alive request loops, gets SIGTERM
 * mid-load; the worker gets SIGTERM while a job is sending an e-mail.
 *
 * What counts as a failure: any request the server accepted that did not get its whole
 * response. A new connection refused once the server has closed is expected. So is one other
 * case, the one HTTP/1.1 leaves to clients (RFC 9112 §9.3.1, Node's `req.reusedSocket`): the
 * server closes an idle keep-alive connection at the moment the client sends on it, so the
 * request is never read; the loops send it again as a client should (it is then refused), and
 * the server's own counts prove it never started such a request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TEST_SYSTEM_DATE } from '../helpers/constants.ts';

const databaseUrl = inject('databaseUrl');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Proc {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `re` in the output (checked as output arrives). */
  waitFor: (re: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
}

function launch(command: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const m = re.exec(out);
        if (m) return resolve(m);
        const timer = setTimeout(
          () => reject(new Error(`no ${String(re)} within ${timeoutMs} ms:\n${out.slice(-3000)}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (found) => {
            clearTimeout(timer);
            resolve(found);
          },
        });
        void exited.then(({ code }) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code} before ${String(re)}:\n${out.slice(-3000)}`));
        });
      }),
  };
}

/** The JSON log line with this message, parsed (the server logs with pino). */
function logLine(out: string, msg: string): Record<string, unknown> | undefined {
  const line = out.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}

type Outcome =
  | { kind: 'response'; status: number; connection: string | undefined; cookies: string[]; body: string }
  | { kind: 'refused' }
  | { kind: 'closed-idle' }
  | { kind: 'error'; message: string };

/** One request; how it ended. `closed-idle`: failed on a reused keep-alive socket before any response. */
function send(
  base: URL,
  agent: http.Agent,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    let responded = false;
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        path,
        agent,
        method: opts.method ?? 'GET',
        headers: opts.headers,
      },
      (res) => {
        responded = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({
            kind: 'response',
            status: res.statusCode ?? 0,
            connection: res.headers.connection,
            cookies: res.headers['set-cookie'] ?? [],
            body,
          }),
        );
        res.on('error', (err) => resolve({ kind: 'error', message: `response cut off: ${err.message}` }));
        res.on('aborted', () => resolve({ kind: 'error', message: 'response cut off (aborted)' }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve({ kind: 'refused' });
      else if (req.reusedSocket && !responded && err.code === 'ECONNRESET') resolve({ kind: 'closed-idle' });
      else
        resolve({ kind: 'error', message: `${err.code ?? ''} ${err.message} (reused: ${req.reusedSocket})` });
    });
    req.end(opts.body);
  });
}

function cookieOf(cookies: string[]): string {
  return cookies.map((c) => c.split(';')[0]).join('; ');
}

async function signIn(base: URL, count: () => void): Promise<string> {
  const agent = new http.Agent({ keepAlive: false });
  const login = await send(base, agent, '/login');
  if (login.kind !== 'response') throw new Error(`GET /login: ${login.kind}`);
  count();
  const token = /name="_csrf" value="([^"]+)"/.exec(login.body)![1]!;
  const post = await send(base, agent, '/login', {
    method: 'POST',
    headers: { cookie: cookieOf(login.cookies), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      email: 'ap@acme.example',
      password: 'Demo-Portal-2026!',
      _csrf: token,
    }).toString(),
  });
  if (post.kind !== 'response' || post.status !== 303)
    throw new Error(`POST /login: ${JSON.stringify(post)}`);
  count();
  return cookieOf(post.cookies);
}

/**
 * A request whose headers are half sent: the server has started reading it (so it is in flight,
 * not an idle connection); `finish()` sends the rest and resolves with the raw response once the
 * server has closed the connection (or after 10 s with what came).
 */
async function halfSentRequest(
  base: URL,
  path: string,
): Promise<{ finish: () => Promise<{ raw: string; closedByServer: boolean }> }> {
  const socket = net.connect(Number(base.port), base.hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  let raw = '';
  socket.on('data', (d: Buffer) => (raw += d.toString()));
  const closed = new Promise<boolean>((resolve) => {
    socket.once('end', () => resolve(true));
    socket.once('error', () => resolve(false));
    setTimeout(() => resolve(false), 10_000).unref();
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${base.host}\r\n`);
  return {
    finish: async () => {
      socket.write('\r\n');
      const closedByServer = await closed;
      socket.destroy();
      return { raw, closedByServer };
    },
  };
}

const serverEnv = (): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  HOST: '127.0.0.1',
  PORT: '0',
  SYSTEM_DATE: TEST_SYSTEM_DATE,
  SEED_DEMO: 'false',
  LOG_LEVEL: 'info',
  npm_config_update_notifier: 'false',
});

const LOOPS = 20;
const MAX_REQUESTS_PER_LOOP = 400;

describe('graceful stop of the web server under load', () => {
  it.each([
    {
      how: 'node (the Dockerfile CMD)',
      command: process.execPath,
      args: ['--import', 'tsx', 'src/server.ts'],
    },
    { how: 'npm start', command: 'npm', args: ['start'] },
  ])(
    'SIGTERM to $how: /readyz 503, every accepted request answered, keep-alive closed, exit 0 within 30 s',
    async ({ command, args }) => {
      const proc = launch(command, args, serverEnv());
      const base = new URL((await proc.waitFor(/running at (http:\/\/[\d.]+:\d+)/, 60_000))[1]!);
      let received = 0;
      const count = (): void => void received++;
      const cookie = await signIn(base, count);

      const stats = { refused: 0, closedIdle: 0, failures: [] as string[], endedBy: [] as string[] };
      const afterStop = new Array<number>(LOOPS).fill(0);
      let stopSeen = false;
      void proc.waitFor(/"msg":"stopping"/, 120_000).then(
        () => (stopSeen = true),
        () => undefined,
      );
      const deadline = Date.now() + 60_000;
      // Half the loops signed in on Home (several queries each), half on the sign-in page.
      const loop = async (i: number): Promise<void> => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const path = i % 2 ? '/login' : '/';
        const headers: Record<string, string> = i % 2 ? {} : { cookie };
        try {
          for (let n = 0; n < MAX_REQUESTS_PER_LOOP && Date.now() < deadline; n++) {
            const sentAfterStop = stopSeen;
            let r = await send(base, agent, path, { headers });
            if (r.kind === 'closed-idle') {
              stats.closedIdle++;
              r = await send(base, agent, path, { headers });
            }
            if (r.kind === 'refused') {
              stats.refused++;
              return void stats.endedBy.push('refused');
            }
            if (r.kind !== 'response') {
              stats.failures.push(`loop ${i}: ${r.kind === 'error' ? r.message : r.kind}`);
              return void stats.endedBy.push('error');
            }
            received++;
            if (r.status !== 200) stats.failures.push(`loop ${i}: ${path} answered ${r.status}`);
            if (sentAfterStop) afterStop[i]!++;
          }
          stats.endedBy.push('bound');
        } finally {
          agent.destroy();
        }
      };
      const loops = Array.from({ length: LOOPS }, (_, i) => loop(i));

      // Mid-load: an in-flight request (headers half sent) and well over a hundred answers.
      const probe = await halfSentRequest(base, '/readyz');
      const loadFrom = Date.now();
      while (received < 150 && Date.now() - loadFrom < 20_000) await new Promise((r) => setTimeout(r, 50));
      expect(stats.failures).toEqual([]);
      const signalledAt = Date.now();
      proc.child.kill('SIGTERM');
      await proc.waitFor(/"msg":"stopping"/, 10_000);
      const readyz = await probe.finish();
      received++;
      await Promise.all(loops);
      const { code, at } = await proc.exited;
      const out = proc.output();

      // Exit 0, well within the 30 s a container orchestrator allows.
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(30_000);
      // Readiness had flipped: the in-flight /readyz got 503, then the connection was closed.
      expect(readyz.raw).toMatch(/^HTTP\/1\.1 503 /);
      expect(readyz.raw).toMatch(/\r\nConnection: close\r\n/i);
      expect(readyz.raw).toContain('"status":"stopping"');
      expect(readyz.closedByServer).toBe(true);
      // No request errored or was reset; every answer was a 200.
      expect(stats.failures).toEqual([]);
      // Keep-alive connections stopped being served: every loop ended on a refused new
      // connection, each having had at most one answer to a request sent after the stop.
      expect(stats.endedBy).toEqual(new Array<string>(LOOPS).fill('refused'));
      expect(Math.max(...afterStop)).toBeLessThanOrEqual(1);
      // A connection is closed as idle only after 250 ms without a request: a client sending
      // on and on does not cross that close (0 in every run here; closing idle connections at
      // once crossed 8-16 of the 20 loops). Two are tolerated for a client starved that long.
      expect(stats.closedIdle).toBeLessThanOrEqual(2);
      // The server finished every request it started, and the clients got every answer it sent.
      const stopped = logLine(out, 'stopped');
      expect(stopped, out.slice(-2000)).toBeDefined();
      expect(stopped!.responsesCutOff).toBe(0);
      expect(stopped!.requestsServed).toBe(received);
      expect(out).not.toMatch(/graceful stop did not finish|stop step failed/);
      console.info(
        `shutdown ${command}: ${received} answers, stop took ${at - signalledAt} ms, ` +
          `${stats.refused} refused new connections, ${stats.closedIdle} idle keep-alive closes crossed by a request`,
      );
    },
    120_000,
  );
});

describe('graceful stop of the worker', () => {
  it('SIGTERM while a job sends an e-mail: the send finishes and is recorded, then exit 0', async () => {
    // Its own empty database: the worker's other jobs must not touch the shared test data.
    const name = `portal_shutdown_${process.pid}_${Date.now()}`;
    const adminUrl = new URL(databaseUrl);
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const dbUrl = new URL(databaseUrl);
    dbUrl.pathname = `/${name}`;
    const db = new pg.Client({ connectionString: dbUrl.toString() });

    // An SMTP server that takes 3 s to accept the message.
    let dataStarted!: () => void;
    const sending = new Promise<void>((resolve) => (dataStarted = resolve));
    let acceptedAt = 0;
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        dataStarted();
        stream.resume();
        stream.on('end', () =>
          setTimeout(() => {
            acceptedAt = Date.now();
            callback();
          }, 3_000),
        );
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    try {
      const worker = launch(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        DATABASE_URL: dbUrl.toString(),
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        SYSTEM_DATE: TEST_SYSTEM_DATE,
        LOG_LEVEL: 'info',
      });
      await worker.waitFor(/"msg":"jobs scheduled"/, 60_000);
      await db.connect();
      const { rows } = await db.query<{ id: number }>(
        `insert into email_outbox (to_address, subject, text_body) values ($1, $2, $3) returning id`,
        ['ap@acme.example', 'Shutdown test', 'Sent while the worker stops.'],
      );
      const id = rows[0]!.id;
      // The send-email job runs every 15 s.
      await Promise.race([
        sending,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no send within 40 s')), 40_000)),
      ]);
      const signalledAt = Date.now();
      worker.child.kill('SIGTERM');
      const { code, at } = await worker.exited;

      expect(code).toBe(0);
      expect(acceptedAt).toBeGreaterThan(signalledAt);
      expect(at).toBeGreaterThan(acceptedAt);
      expect(at - signalledAt).toBeLessThan(30_000);
      const row = await db.query<{ status: string; attempts: number }>(
        'select status, attempts from email_outbox where id = $1',
        [id],
      );
      expect(row.rows[0]).toEqual({ status: 'sent', attempts: 1 });
      const out = worker.output();
      expect(out).toMatch(/"msg":"waiting for the jobs in progress"/);
      expect(logLine(out, 'stopped')).toBeDefined();
    } finally {
      await db.end().catch(() => undefined);
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);
});

describe('how the processes are started', () => {
  it('the Dockerfile runs node as PID 1 with STOPSIGNAL SIGTERM, and npm start/worker exec node', () => {
    const dockerfile = fs.readFileSync('Dockerfile', 'utf8');
    const cmd = /^CMD (.+)$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', '--import', 'tsx', 'src/server.ts']);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    const { scripts } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toBe('exec node --import tsx src/server.ts');
    expect(scripts.worker).toBe('exec node --import tsx src/worker.ts');
  });
});
