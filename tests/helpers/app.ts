/** Builds the real app against the run's test database, with a pinned clock and captured logs. */
import { inject } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createContainer, type Deps } from '../../src/container.ts';
import { createKnex } from '../../src/db/knex.ts';
import { createClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createMailer } from '../../src/lib/mailer.ts';
import { TEST_SYSTEM_DATE } from './constants.ts';

export const DEMO_PASSWORD = 'Demo-Portal-2026!';

export interface TestApp {
  app: ReturnType<typeof createApp>['app'];
  deps: Deps;
  clock: ReturnType<typeof createClock>;
  logs: string[];
  close(): Promise<void>;
}

export async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = inject('databaseUrl');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    SYSTEM_DATE: TEST_SYSTEM_DATE,
    LOG_LEVEL: 'info',
    LOGIN_MAX_FAILS_PER_IP: '100000',
    ...env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const db = createKnex(databaseUrl, 5);
  const clock = createClock({ systemDate: config.systemDate });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, mailDir: config.mailDir, from: config.mailFrom });
  const deps = createContainer({ config, db, databaseUrl, poolMax: 3, clock, logger, mailer });
  const handle = createApp(deps);
  return {
    app: handle.app,
    deps,
    clock,
    logs,
    async close() {
      await handle.close();
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A page's text as a person reads it: tags gone, the entities EJS writes decoded, spaces folded. */
export function pageText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&rsquo;|&#8217;/g, '’')
    .replace(/\s+/g, ' ');
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token on the page');
  return m[1];
}

export type Agent = ReturnType<typeof request.agent>;

/** Signs in through the real form; returns the agent (cookie jar) and the POST's response. */
export async function signIn(app: TestApp['app'], email: string, password = DEMO_PASSWORD, host?: string) {
  const agent = request.agent(app);
  if (host) agent.set('Host', host);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ email, password, _csrf: csrfFrom(page.text) });
  return { agent, res };
}

/** POSTs a form with the CSRF token of the page at `from`. */
export async function postForm(agent: Agent, from: string, to: string, body: Record<string, string>) {
  const page = await agent.get(from);
  return agent
    .post(to)
    .type('form')
    .send({ ...body, _csrf: csrfFrom(page.text) });
}
