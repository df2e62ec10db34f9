/**
 * TRUST_PROXY takes a hop count or the proxies' addresses, never "every hop": a client cannot
 * pick the address that throttling and the audit log see by writing X-Forwarded-For itself.
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createCustomer, createUser } from '../factories/index.ts';
import { csrfFrom, startApp, type TestApp } from '../helpers/app.ts';

const production = {
  NODE_ENV: 'production',
  SESSION_SECRET: 'x'.repeat(40),
  PUBLIC_URL: 'https://portal.example',
  TWO_STEP_ENCRYPTION_KEY: 'ab'.repeat(32),
};

async function guess(app: TestApp['app'], email: string, xff: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login').set('X-Forwarded-For', xff);
  return agent
    .post('/login')
    .set('X-Forwarded-For', xff)
    .type('form')
    .send({ email, password: 'a-wrong-guess', _csrf: csrfFrom(page.text) });
}

async function forgedGuesses(trustProxy: string, realAddress: string) {
  const t = await startApp({ TRUST_PROXY: trustProxy });
  try {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const statuses: number[] = [];
    // 80 guesses, each with a new made-up address where the client writes (leftmost); the
    // proxy appends the address it saw.
    for (let i = 0; i < 80; i++)
      statuses.push((await guess(t.app, u.email, `10.9.${i >> 8}.${i & 255}, ${realAddress}`)).status);
    const audit = (await t.deps
      .db('audit_log')
      .whereRaw(`after->>'email' = ?`, [u.email])
      .select('ip', 'action')) as { ip: string; action: string }[];
    return { statuses, audit };
  } finally {
    await t.close();
  }
}

describe('TRUST_PROXY and the client address', () => {
  it('with TRUST_PROXY=1, a forged leftmost X-Forwarded-For changes neither throttling nor the audit address', async () => {
    const { statuses, audit } = await forgedGuesses('1', '203.0.113.77');
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(audit).toHaveLength(80);
    expect(new Set(audit.map((a) => a.ip))).toEqual(new Set(['203.0.113.77']));
    expect(audit.filter((a) => a.action === 'auth.sign_in_failed')).toHaveLength(5);
  });

  it('with a list of proxy addresses, the first address not in it is the client', async () => {
    const { statuses, audit } = await forgedGuesses('loopback, 10.200.0.0/16', '203.0.113.78, 10.200.3.4');
    expect(statuses.filter((s) => s !== 429)).toHaveLength(5);
    expect(new Set(audit.map((a) => a.ip))).toEqual(new Set(['203.0.113.78']));
  });

  it('reads a hop count or a list of addresses/CIDRs, and refuses "true" in production', () => {
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...production }).trustProxy).toBe(false);
    expect(loadConfig({ ...production, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...production, TRUST_PROXY: '10.0.0.0/8, 192.0.2.10 ,fd00::/8' }).trustProxy).toEqual(
      ['10.0.0.0/8', '192.0.2.10', 'fd00::/8'],
    );
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY: `true` trusts every hop/,
    );
    for (const bad of ['banana', '10.0.0.0/33', '10.0.0.1/8/1', '300.1.1.1', '11', '-1'])
      expect(() => loadConfig({ ...production, TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    // Outside production `true` is read as one hop (a single local proxy).
    expect(loadConfig({ NODE_ENV: 'development', TRUST_PROXY: 'true' }).trustProxy).toBe(1);
  });

  it('requires a 32-byte TWO_STEP_ENCRYPTION_KEY in production', () => {
    const { TWO_STEP_ENCRYPTION_KEY: _k, ...withoutKey } = production;
    expect(() => loadConfig(withoutKey)).toThrow(/TWO_STEP_ENCRYPTION_KEY: required in production/);
    for (const bad of ['abcd', 'ab'.repeat(31), 'not base64 at all but long enough to be 32 bytes!!'])
      expect(() => loadConfig({ ...production, TWO_STEP_ENCRYPTION_KEY: bad }), bad).toThrow(
        /TWO_STEP_ENCRYPTION_KEY: must be 32 bytes/,
      );
    expect(loadConfig(production).twoStepEncryptionKey).toHaveLength(32);
    const b64 = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ ...production, TWO_STEP_ENCRYPTION_KEY: b64 }).twoStepEncryptionKey).toEqual(
      Buffer.alloc(32, 9),
    );
    expect(loadConfig({ NODE_ENV: 'development' }).twoStepEncryptionKey).toHaveLength(32);
  });
});
