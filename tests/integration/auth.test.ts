import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const sid = (res: request.Response): string | undefined =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('portal.sid='))
    ?.split(';')[0];

describe('sign-in', () => {
  it('signs in a demo user, renews the session id and lands on Home', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    expect(page.status).toBe(200);
    const before = sid(page);
    expect(before).toBeDefined();
    const res = await agent
      .post('/login')
      .type('form')
      .send({ email: 'ap@acme.example', password: 'Demo-Portal-2026!', _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const after = sid(res);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Acme Construction');
    expect(home.headers['cache-control']).toBe('no-store');
    const audit = await t.deps
      .db('audit_log')
      .where({ action: 'auth.sign_in' })
      .count<{ n: number }[]>({ n: '*' })
      .first();
    expect(audit!.n).toBeGreaterThan(0);
  });

  it('gives the same generic message for a wrong password and an unknown email', async () => {
    const a = await signIn(t.app, 'viewer@acme.example', 'wrong-password-123');
    const b = await signIn(t.app, 'nobody@nowhere.example', 'wrong-password-123');
    for (const r of [a.res, b.res]) {
      expect(r.status).toBe(401);
      expect(r.text).toContain('Email or password is wrong');
      expect(r.text).toContain('href="#email"');
      expect(r.text).toContain('aria-invalid="true"');
    }
  });

  it('re-shows a blank form with an error summary (400), keeping what was typed', async () => {
    const { res } = await signIn(t.app, 'someone@x.example', '');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter your password');
    expect(res.text).toContain('value="someone@x.example"');
  });

  it('refuses inactive users with the generic message', async () => {
    const { res } = await signIn(t.app, 'former@acme.example');
    expect(res.status).toBe(401);
    expect(res.text).toContain('Email or password is wrong');
  });

  it('throttles an account after repeated failures, without a permanent lock-out', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id, role: 'portal_admin' });
    let throttled = 0;
    let signedIn = 0;
    for (let i = 0; i < 100; i++) {
      const { res } = await signIn(t.app, u.email, `wrong-${i}-password`);
      if (res.status === 429) throttled++;
      if (res.status === 303) signedIn++;
    }
    expect(signedIn).toBe(0);
    expect(throttled).toBeGreaterThanOrEqual(95);
    // Even the right password is refused while blocked…
    const blocked = await signIn(t.app, u.email, FACTORY_PASSWORD);
    expect(blocked.res.status).toBe(429);
    expect(blocked.res.text).toMatch(/Too many sign-in attempts\. Wait \d+ minutes?/);
    // …and accepted once the delay has passed (it is temporary: 1 minute after the fifth failure).
    t.clock.advance(61_000);
    const later = await signIn(t.app, u.email, FACTORY_PASSWORD);
    expect(later.res.status).toBe(303);
  });

  it('throttles by address across accounts', async () => {
    const strict = await startApp({ LOGIN_MAX_FAILS_PER_IP: '5', TRUST_PROXY: 'true' });
    try {
      const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const agent = request.agent(strict.app);
        const page = await agent.get('/login').set('X-Forwarded-For', ip);
        const res = await agent
          .post('/login')
          .set('X-Forwarded-For', ip)
          .type('form')
          .send({ email: `x${i}@spray.example`, password: 'nope-nope-nope', _csrf: csrfFrom(page.text) });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
    } finally {
      await strict.close();
    }
  });

  it('only follows returnTo to our own paths', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login?returnTo=//evil.example/x');
    const res = await agent
      .post('/login')
      .type('form')
      .send({
        email: 'ap@acme.example',
        password: 'Demo-Portal-2026!',
        _csrf: csrfFrom(page.text),
        returnTo: 'https://evil.example',
      });
    expect(res.headers.location).toBe('/');
  });
});

describe('CSRF', () => {
  it('refuses a POST without a token, or with another session’s token', async () => {
    const agent = request.agent(t.app);
    await agent.get('/login');
    const none = await agent
      .post('/login')
      .type('form')
      .send({ email: 'ap@acme.example', password: 'Demo-Portal-2026!' });
    expect(none.status).toBe(403);
    expect(none.text).toContain('This form has expired');
    const other = request.agent(t.app);
    const otherToken = csrfFrom((await other.get('/login')).text);
    const foreign = await agent
      .post('/login')
      .type('form')
      .send({ email: 'ap@acme.example', password: 'Demo-Portal-2026!', _csrf: otherToken });
    expect(foreign.status).toBe(403);
    expect((await agent.get('/')).status).toBe(303); // still signed out
  });

  it('refuses sign-out without a token', async () => {
    const { agent } = await signIn(t.app, 'ap@acme.example');
    const res = await agent.post('/logout').type('form').send({});
    expect(res.status).toBe(403);
    expect((await agent.get('/')).status).toBe(200);
  });
});

describe('sessions', () => {
  it('refuses a cookie replayed after sign-out', async () => {
    const { agent, res } = await signIn(t.app, 'ap@acme.example');
    const cookie = sid(res)!;
    const home = await agent.get('/');
    await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) });
    const replay = await request(t.app).get('/').set('Cookie', cookie);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toMatch(/^\/login/);
  });

  it('ends a session idle for more than 30 minutes', async () => {
    const own = await startApp();
    try {
      const { agent } = await signIn(own.app, 'ap@acme.example');
      own.clock.advance(29 * 60_000);
      expect((await agent.get('/')).status).toBe(200);
      own.clock.advance(31 * 60_000);
      const res = await agent.get('/');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?timeout=1');
    } finally {
      await own.close();
    }
  });

  it('ends a session after 12 hours however active it is', async () => {
    const own = await startApp();
    try {
      const { agent } = await signIn(own.app, 'ap@acme.example');
      for (let i = 0; i < 14; i++) {
        own.clock.advance(25 * 60_000);
        expect((await agent.get('/')).status).toBe(200);
        own.clock.advance(25 * 60_000);
        expect((await agent.get('/')).status).toBe(200);
      }
      own.clock.advance(25 * 60_000); // 14 × 50 min + 25 min = 12 h 5 min after sign-in
      expect((await agent.get('/')).status).toBe(303);
    } finally {
      await own.close();
    }
  });

  it('signs out a user who is deactivated, on their next request', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id, role: 'portal_admin' });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    expect((await agent.get('/')).status).toBe(200);
    await t.deps
      .db('users')
      .where({ id: u.id })
      .update({ status: 'inactive', session_version: t.deps.db.raw('session_version + 1') });
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });
});
