/**
 * Sign-in throttling (OWASP Authentication Cheat Sheet): an attempt is taken atomically in
 * PostgreSQL before the password is checked, per (account, address) and per address, with
 * growing delays; failures from one address never stop the owner signing in from another.
 * Addresses come from X-Forwarded-For behind one trusted proxy (TRUST_PROXY=1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, startApp, type TestApp } from '../helpers/app.ts';
import { throttleAddress } from '../../src/modules/auth/auth.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp({ TRUST_PROXY: '1', LOGIN_MAX_FAILS_PER_IP: '50' });
});
afterAll(async () => {
  await t.close();
});

let nextAddress = 1;
/** A documentation address of its own for each caller (TEST-NET-2), so tests never share one. */
const freshAddress = (): string => `198.51.${100 + Math.floor(nextAddress / 250)}.${nextAddress++ % 250}`;

/** A sign-in form fetched from `ip` (as the proxy reports it), ready to post. */
async function loginForm(app: TestApp['app'], ip: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login').set('X-Forwarded-For', ip);
  const token = csrfFrom(page.text);
  return (email: string, password: string) =>
    agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ email, password, _csrf: token });
}

async function attempt(app: TestApp['app'], email: string, password: string, ip: string) {
  return (await loginForm(app, ip))(email, password);
}

async function newUser() {
  const c = await createCustomer(t.deps.db);
  return createUser(t.deps.db, { customer_id: c.id });
}

describe('sign-in throttling under concurrency', () => {
  it('checks 5 passwords of 30 wrong ones sent at once; then the right one among 29 wrong does not sign in', async () => {
    const u = await newUser();
    const ip = freshAddress();
    const before = t.deps.auth.passwordChecks();
    // 30 forms ready, then 30 wrong passwords posted at once.
    const forms = await Promise.all(Array.from({ length: 30 }, () => loginForm(t.app, ip)));
    const first = await Promise.all(forms.map((post, i) => post(u.email, `wrong-password-${i}`)));
    expect(t.deps.auth.passwordChecks() - before).toBe(5);
    expect(first.filter((r) => r.status === 401).length).toBe(5);
    expect(first.filter((r) => r.status === 429).length).toBe(25);

    // The limit is spent: the right password among 29 wrong ones, at once, signs nobody in.
    const checked = t.deps.auth.passwordChecks();
    const again = await Promise.all(Array.from({ length: 30 }, () => loginForm(t.app, ip)));
    const second = await Promise.all(
      again.map((post, i) => post(u.email, i === 7 ? FACTORY_PASSWORD : `wrong-again-${i}`)),
    );
    expect(second.map((r) => r.status)).toEqual(Array.from({ length: 30 }, () => 429));
    expect(t.deps.auth.passwordChecks()).toBe(checked);
    const page = second[7]!;
    expect(page.headers['retry-after']).toMatch(/^\d+$/);
    expect(page.text).toMatch(/Too many sign-in attempts\. Wait \d+ minutes? and try again/);
    expect(page.text).toContain('href="#email"');
  });

  it('checks the right password among 29 wrong ones only within the limit, all sent at once', async () => {
    const u = await newUser();
    const ip = freshAddress();
    const before = t.deps.auth.passwordChecks();
    const forms = await Promise.all(Array.from({ length: 30 }, () => loginForm(t.app, ip)));
    const res = await Promise.all(
      forms.map((post, i) => post(u.email, i === 15 ? FACTORY_PASSWORD : `wrong-password-${i}`)),
    );
    const checks = t.deps.auth.passwordChecks() - before;
    expect(checks).toBeLessThanOrEqual(5);
    expect(res.filter((r) => r.status !== 429).length).toBe(checks);
    // Signed in only if the right password was one of the attempts taken.
    expect(res.filter((r) => r.status === 303).length).toBeLessThanOrEqual(1);
  });
});

describe('throttling per (account, address) and per address, with growing delays', () => {
  it('failures from one address do not stop the owner signing in from another address', async () => {
    const u = await newUser();
    const attacker = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await attempt(t.app, u.email, `guess-${i}-pw`, attacker)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    // Still refused from the attacker's address, even with the right password…
    expect((await attempt(t.app, u.email, FACTORY_PASSWORD, attacker)).status).toBe(429);
    // …while the owner, elsewhere, signs in at once.
    const owner = await attempt(t.app, u.email, FACTORY_PASSWORD, freshAddress());
    expect(owner.status).toBe(303);
    expect(owner.headers.location).toBe('/');
  });

  it('made-up e-mails from one address slow that address down, not the accounts', async () => {
    const u = await newUser();
    const sprayer = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 53; i++)
      statuses.push(
        (await attempt(t.app, `made-up-${i}-${sprayer}@spray.example`, 'Spring2026!!', sprayer)).status,
      );
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(50)).toEqual([429, 429, 429]);
    const throttled = await attempt(t.app, u.email, FACTORY_PASSWORD, sprayer);
    expect(throttled.status).toBe(429);
    expect(throttled.text).toMatch(/Too many sign-in attempts\. Wait 1 minute and try again/);
    // Every account still opens from any other address.
    expect((await attempt(t.app, u.email, FACTORY_PASSWORD, freshAddress())).status).toBe(303);
  });

  it('lets one attempt through after each delay, doubling the delay, and signs in after it', async () => {
    const u = await newUser();
    const ip = freshAddress();
    for (let i = 0; i < 5; i++) expect((await attempt(t.app, u.email, `wrong-${i}-pw`, ip)).status).toBe(401);
    const waits: number[] = [];
    for (const minutes of [1, 2, 4]) {
      const refused = await attempt(t.app, u.email, 'still-wrong-pw', ip);
      expect(refused.status).toBe(429);
      waits.push(Number(refused.headers['retry-after']));
      t.clock.advance(minutes * 60_000 + 1000);
      expect((await attempt(t.app, u.email, 'still-wrong-pw', ip)).status).toBe(401);
    }
    expect(waits).toEqual([60, 120, 240]);
    const refused = await attempt(t.app, u.email, FACTORY_PASSWORD, ip);
    expect(refused.status).toBe(429);
    expect(refused.text).toMatch(/Wait 8 minutes and try again/);
    t.clock.advance(8 * 60_000 + 1000);
    expect((await attempt(t.app, u.email, FACTORY_PASSWORD, ip)).status).toBe(303);
    // A success starts the (account, address) count afresh.
    for (let i = 0; i < 5; i++) expect((await attempt(t.app, u.email, `again-${i}-pw`, ip)).status).toBe(401);
  });

  it('past the per-account ceiling each address gets one try, and a fresh address still signs the owner in', async () => {
    const low = await startApp({ TRUST_PROXY: '1', LOGIN_ACCOUNT_CEILING: '3' });
    try {
      const c = await createCustomer(low.deps.db);
      const u = await createUser(low.deps.db, { customer_id: c.id });
      const bots = [freshAddress(), freshAddress(), freshAddress()];
      for (const ip of bots) expect((await attempt(low.app, u.email, 'botnet-guess', ip)).status).toBe(401);
      // Ceiling reached: an address that failed before gets one more try, a new one a single try.
      expect((await attempt(low.app, u.email, 'botnet-guess-2', bots[0]!)).status).toBe(401);
      expect((await attempt(low.app, u.email, 'botnet-guess-3', bots[0]!)).status).toBe(429);
      const another = freshAddress();
      expect((await attempt(low.app, u.email, 'botnet-guess', another)).status).toBe(401);
      expect((await attempt(low.app, u.email, 'botnet-guess-2', another)).status).toBe(429);
      // The owner at a fresh address is never stopped by it.
      expect((await attempt(low.app, u.email, FACTORY_PASSWORD, freshAddress())).status).toBe(303);
    } finally {
      await low.close();
    }
  });
});

describe('the address a throttle counts', () => {
  it('is the IPv4 address (also IPv4-mapped) or the /64 of an IPv6 address', () => {
    expect(throttleAddress('203.0.113.9')).toBe('203.0.113.9');
    expect(throttleAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(throttleAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(throttleAddress('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(throttleAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleAddress('::1')).toBe('0:0:0:0::/64');
  });
});
