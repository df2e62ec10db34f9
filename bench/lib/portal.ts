/**
 * The portal under test: one child process (bench/server.ts on node --import tsx) in production
 * mode, and a small HTTP client that signs in through the real form (CSRF token, cookie session).
 * The portal runs as behind a TLS-terminating proxy (TRUST_PROXY, X-Forwarded-Proto: https):
 * in production its session cookie is Secure and would not be set over plain HTTP otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const PROXY_HEADERS = { 'x-forwarded-proto': 'https' } as const;

export interface Portal {
  url: string;
  pid: number;
  logFile: string;
  dataDir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startPortal(opts: {
  databaseUrl: string;
  systemDate: string;
  logLevel: string;
  poolMax: string | undefined;
  ceilingBytes: number;
  defaultLabel: string;
}): Promise<Portal> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
  const logFile = path.join(dataDir, 'server.log');
  const log = fs.openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: process.env.TZ,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    // Required in production (the address in e-mail links).
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: opts.databaseUrl,
    SEED_DEMO: 'false',
    SYSTEM_DATE: opts.systemDate,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    TRUST_PROXY: '1',
    TWO_STEP_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    // The bench users are an admin and a superuser, who sign in with a password only here.
    TWO_STEP_FOR_ADMINS: 'optional',
    DATA_DIR: dataDir,
    LOG_LEVEL: opts.logLevel,
    DEFAULT_LABEL: opts.defaultLabel,
    BENCH_CEILING_BYTES: String(opts.ceilingBytes),
    ...(opts.poolMax ? { DATABASE_POOL_MAX: opts.poolMax } : {}),
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const root = path.resolve(import.meta.dirname, '../..');
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the portal.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = ['--expose-gc', ...nodeArgs, '--import', 'tsx', 'bench/server.ts'];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  // Never leave the portal running when the runner ends, however it ends.
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const state: { exited: number | null } = { exited: null };
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      state.exited = code ?? (signal ? 128 : 1);
      process.removeListener('exit', killOnExit);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (state.exited === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (state.exited !== null) {
      throw new Error(`the portal exited with code ${state.exited} before it was ready:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the portal was not ready within 120 s:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid!, logFile, dataDir, stop };
}

/** A signed-in user: the Cookie header to send with every request. */
export interface Session {
  email: string;
  cookie: string;
}

function mergeCookies(jar: Map<string, string>, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}
const cookieHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

export async function signIn(baseUrl: string, email: string, password: string): Promise<Session> {
  const jar = new Map<string, string>();
  const page = await fetch(`${baseUrl}/login`, { headers: PROXY_HEADERS, redirect: 'manual' });
  mergeCookies(jar, page);
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !csrf)
    throw new Error(`GET /login answered ${page.status} without a CSRF token`);
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      ...PROXY_HEADERS,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookieHeader(jar),
    },
    body: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
  });
  mergeCookies(jar, res);
  const location = res.headers.get('location') ?? '';
  await res.arrayBuffer();
  if (res.status !== 303 || location.startsWith('/login')) {
    throw new Error(
      `signing in as ${email} failed: ${res.status} ${location || '(no redirect)'} — is the database loaded (npm run bench:load) and the password right?`,
    );
  }
  return { email, cookie: cookieHeader(jar) };
}

/** `n` sessions of the same user (sign-ins one after the other). */
export async function signInMany(
  baseUrl: string,
  email: string,
  password: string,
  n: number,
): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < n; i++) out.push(await signIn(baseUrl, email, password));
  return out;
}

/** A GET as a signed-in user, redirects not followed. */
export async function get(baseUrl: string, session: Session | undefined, pathAndQuery: string) {
  const started = performance.now();
  const res = await fetch(`${baseUrl}${pathAndQuery}`, {
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, ...(session ? { cookie: session.cookie } : {}) },
  });
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body, ms: performance.now() - started };
}

/** What is wrong with a page's answer, or undefined: a 2xx HTML page, not a way back to /login. */
export function problemWith(res: Response, body: Buffer): string | undefined {
  const location = res.headers.get('location');
  if (location?.startsWith('/login')) return `${res.status} redirect to ${location}`;
  if (res.status < 200 || res.status > 299) {
    const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(body.toString('utf8'))?.[1]?.trim();
    return `${res.status}${location ? ` → ${location}` : ''}${h1 ? ` (${h1})` : ''}`;
  }
  if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) {
    return `content-type ${res.headers.get('content-type')}`;
  }
  return undefined;
}
