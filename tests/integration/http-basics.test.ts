import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createContainer } from '../../src/container.ts';
import { createKnex } from '../../src/db/knex.ts';
import { createClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createMailer } from '../../src/lib/mailer.ts';
import { signIn, startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

function expectSecurityHeaders(res: request.Response): void {
  const csp = String(res.headers['content-security-policy']);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBeDefined();
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe('security headers on every kind of response', () => {
  it('200, 303, 404, static and signed-in pages', async () => {
    expectSecurityHeaders(await request(t.app).get('/login'));
    expectSecurityHeaders(await request(t.app).get('/'));
    expectSecurityHeaders(await request(t.app).get('/css/app.css'));
    const { agent } = await signIn(t.app, 'ap@acme.example');
    const home = await agent.get('/');
    expectSecurityHeaders(home);
    expect(home.headers['cache-control']).toBe('no-store');
    const missing = await agent.get('/no-such-page');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
    expect(missing.text).toContain('Page not found');
  });

  it('sends HSTS and Secure __Host- cookies in production', async () => {
    const prod = await startApp({
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(40),
      TRUST_PROXY: '1',
      PUBLIC_URL: 'https://portal.northwind.example',
      TWO_STEP_ENCRYPTION_KEY: 'a'.repeat(64),
    });
    try {
      // Behind a TLS-terminating proxy: Secure cookies are only sent over HTTPS.
      const res = await request(prod.app).get('/login').set('X-Forwarded-Proto', 'https');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';');
      expect(cookie).toMatch(/__Host-portal\.sid=/);
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
    } finally {
      await prod.close();
    }
  });

  it('serves each label its own theme stylesheet', async () => {
    const res = await request(t.app).get('/labels/maple/theme.css');
    expect(res.status).toBe(200);
    expect(res.text).toContain('--brand:#8a1c1c');
    expect((await request(t.app).get('/labels/nope/theme.css')).status).toBe(404);
  });

  it('picks the label by host; a host no label claims gets 400', async () => {
    expect((await request(t.app).get('/login').set('Host', 'maple.localhost')).text).toContain(
      'Maple Leaf Leasing',
    );
    const unknown = await request(t.app).get('/login').set('Host', 'unknown.example');
    expect(unknown.status).toBe(400);
    expect(unknown.text).not.toContain('Northwind Equipment Finance');
  });
});

describe('health', () => {
  it('/healthz and /readyz answer 200 with the database up', async () => {
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    expect((await request(t.app).get('/readyz')).body).toEqual({ status: 'ready' });
  });

  it('/readyz says 503 within 5 s when the database is gone; /healthz stays 200; pages say 503', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
      LOG_LEVEL: 'silent',
    });
    const db = createKnex(config.databaseUrl!, 1);
    const deps = createContainer({
      config,
      db,
      databaseUrl: config.databaseUrl!,
      poolMax: 1,
      clock: createClock(),
      logger: createLogger('silent'),
      mailer: createMailer({ mailDir: '/tmp', from: 'x@y.z' }),
    });
    const handle = createApp(deps);
    const app = handle.app;
    try {
      const started = Date.now();
      const ready = await request(app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await request(app).get('/healthz')).status).toBe(200);
      const page = await request(app).get('/login');
      expect(page.status).toBe(503);
      expect(page.text).toContain('the service is unavailable');
      expect(page.text).not.toMatch(/ECONNREFUSED|at \w+ \(/);
    } finally {
      await handle.close();
      await db.destroy();
    }
  });
});

describe('customer switching (superuser)', () => {
  it('sends a superuser with no customer to the switcher, searches server-side and audits the switch', async () => {
    const { agent } = await signIn(t.app, 'super@northwind.example');
    const home = await agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toMatch(/^\/customers\/switch/);
    const search = await agent.get('/customers/switch?q=C-1000');
    expect(search.status).toBe(200);
    expect(search.text).toContain('Acme Construction');
    const byName = await agent.get('/customers/switch?q=birch');
    expect(byName.text).toContain('Birch Logistics');
    expect(byName.text).not.toContain('Acme Construction');
    const acme = (await t.deps.db('customers').where({ number: 'C-10001' }).first('id')) as { id: number };
    const token = /name="_csrf" value="([^"]+)"/.exec(byName.text)![1]!;
    const sw = await agent
      .post('/customers/switch')
      .type('form')
      .send({ _csrf: token, customerId: String(acme.id) });
    expect(sw.status).toBe(303);
    const page = await agent.get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Acme Construction Inc.');
    const audit = await t.deps
      .db('audit_log')
      .where({ action: 'customer.switch', entity_id: String(acme.id) })
      .first();
    expect(audit).toBeDefined();
  });

  it('lists only the customers the label serves', async () => {
    const { agent } = await signIn(t.app, 'super@northwind.example');
    const nw = await agent.get('/customers/switch?q=lakeshore');
    expect(nw.text).toContain('No customers match.');
    const { agent: mapleAgent } = await signIn(
      t.app,
      'super@northwind.example',
      undefined,
      'maple.localhost',
    );
    const maple = await mapleAgent.get('/customers/switch?q=lakeshore').set('Host', 'maple.localhost');
    expect(maple.text).toContain('Lakeshore Print Co.');
  });

  it('answers 404 when switching to a customer that does not exist', async () => {
    const { agent } = await signIn(t.app, 'super@northwind.example');
    const page = await agent.get('/customers/switch');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent
      .post('/customers/switch')
      .type('form')
      .send({ _csrf: token, customerId: '99999999' });
    expect(res.status).toBe(404);
  });

  it('pages the search (there may be 10,000 customers)', async () => {
    const { agent } = await signIn(t.app, 'super@northwind.example');
    const res = await agent.get('/customers/switch?page=1');
    expect(res.text).toMatch(/Page 1 of \d+|customers\./);
    expect((res.text.match(/name="customerId"/g) ?? []).length).toBeLessThanOrEqual(20);
  });
});
