/**
 * Smoke test of the default start: no DATABASE_URL, so `npm start`'s entry creates an embedded
 * PostgreSQL under DATA_DIR, migrates, seeds, prints the logins and serves; SIGTERM stops it;
 * a second start reuses the data without seeding again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SYSTEM_DATE } from '../helpers/constants.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-embedded-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: '0',
    SYSTEM_DATE: TEST_SYSTEM_DATE,
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${out}`)), 60_000);
    const check = setInterval(() => {
      const m = /running at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    }, 100);
    child.on('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function signInAndGetHome(url: string): Promise<string> {
  const login = await fetch(`${url}/login`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const post = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'ap@acme.example', password: 'Demo-Portal-2026!', _csrf: token }),
  });
  expect(post.status).toBe(303);
  const session = post.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const home = await fetch(`${url}/`, { headers: { cookie: session } });
  expect(home.status).toBe(200);
  return home.text();
}

describe('embedded start (npm start with no DATABASE_URL)', () => {
  it('creates, migrates, seeds, prints the logins, serves, and stops on SIGTERM', async () => {
    const first = await start();
    expect(first.output()).toContain('super@northwind.example');
    expect(first.output()).toContain('Demo-Portal-2026!');
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    expect(await signInAndGetHome(first.url)).toContain('Acme Construction Inc.');
    const t0 = Date.now();
    expect(await stop(first.child)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);

    const second = await start();
    expect(await signInAndGetHome(second.url)).toContain('Acme Construction Inc.');
    expect(await stop(second.child)).toBe(0);
  }, 120_000);
});
