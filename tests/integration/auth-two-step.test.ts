/**
 * Two-step sign-in: guesses taken atomically before the code is checked (10, then delays), and
 * TOTP secrets sealed at rest (AES-256-GCM) in users.totp_secret and in the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { Secret, TOTP } from 'otpauth';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';
import { createSecretBox } from '../../src/modules/auth/secret-box.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const totp = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
const codeFor = (secret: string, offsetMs = 0): string =>
  totp(secret).generate({ timestamp: t.clock.now().getTime() + offsetMs });

/** Codes of the right shape that are not valid now (nor one step either side). */
function wrongCodes(secret: string, n: number): string[] {
  const valid = new Set([-30_000, 0, 30_000].map((o) => codeFor(secret, o)));
  const out: string[] = [];
  for (let i = 100_000; out.length < n; i += 7919) if (!valid.has(String(i))) out.push(String(i));
  return out;
}

const storedSecret = async (userId: number): Promise<string | null> =>
  ((await t.deps.db('users').where({ id: userId }).first('totp_secret')) as { totp_secret: string | null })
    .totp_secret;

/** A user with two-step sign-in switched on through the pages; returns the key they were shown. */
async function enrolledUser() {
  const c = await createCustomer(t.deps.db);
  const u = await createUser(t.deps.db, { customer_id: c.id });
  const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
  const enrol = await agent.get('/account/two-step');
  const secret = /<code class="key">([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!.replace(/ /g, '');
  // While enrolment is pending, the key sits in the session row: sealed, never in clear.
  const sessions = JSON.stringify(await t.deps.db('sessions').select('sess'));
  expect(sessions).not.toContain(secret);
  const on = await agent
    .post('/account/two-step')
    .type('form')
    .send({ code: codeFor(secret), _csrf: csrfFrom(enrol.text) });
  expect(on.status).toBe(200);
  t.clock.advance(30_000); // the enrolment code cannot be used again
  return { user: u, secret };
}

async function postCode(agent: Agent, token: string, code: string) {
  return agent.post('/login/two-step').type('form').send({ code, _csrf: token });
}

describe('two-step codes under concurrency', () => {
  it('checks 10 of 40 wrong codes sent at once; the right code then waits for the delay', async () => {
    const { user, secret } = await enrolledUser();
    const s = await signIn(t.app, user.email, FACTORY_PASSWORD);
    expect(s.res.headers.location).toBe('/login/two-step');
    const token = csrfFrom((await s.agent.get('/login/two-step')).text);
    const res = await Promise.all(wrongCodes(secret, 40).map((code) => postCode(s.agent, token, code)));
    expect(res.filter((r) => r.status === 401).length).toBe(10);
    expect(res.filter((r) => r.status === 429).length).toBe(30);
    const failed = await t.deps
      .db('audit_log')
      .where({ entity_id: String(user.id), action: 'auth.two_step_failed' })
      .count<{ n: number }[]>({ n: '*' })
      .first();
    expect(Number(failed!.n)).toBe(10);

    const refused = await postCode(s.agent, token, codeFor(secret));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.text).toMatch(/Too many wrong codes\. Wait 1 minute and try again/);
    t.clock.advance(61_000);
    const fresh = await signIn(t.app, user.email, FACTORY_PASSWORD);
    const ok = await postCode(
      fresh.agent,
      csrfFrom((await fresh.agent.get('/login/two-step')).text),
      codeFor(secret),
    );
    expect(ok.status).toBe(303);
    expect((await fresh.agent.get('/')).status).toBe(200);
  });
});

describe('two-step secrets at rest', () => {
  it('keeps the secret sealed in users.totp_secret, and sign-in with a code still works', async () => {
    const { user, secret } = await enrolledUser();
    const stored = (await storedSecret(user.id))!;
    expect(stored).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain(secret);
    expect(stored.toUpperCase()).not.toContain(secret);
    const dump = JSON.stringify(await t.deps.db('users').where({ id: user.id }));
    expect(dump).not.toContain(secret);

    const s = await signIn(t.app, user.email, FACTORY_PASSWORD);
    const page = await s.agent.get('/login/two-step');
    const ok = await postCode(s.agent, csrfFrom(page.text), codeFor(secret));
    expect(ok.status).toBe(303);
    expect((await s.agent.get('/')).status).toBe(200);
    expect(await storedSecret(user.id)).toBe(stored);
    expect(t.logs.join('\n')).not.toContain(secret);
  });

  it('seals a secret stored in clear before, the first time it is used, or all at once', async () => {
    const c = await createCustomer(t.deps.db);
    const [a, b] = [
      await createUser(t.deps.db, { customer_id: c.id }),
      await createUser(t.deps.db, { customer_id: c.id }),
    ];
    const plain = new Secret({ size: 20 }).base32;
    for (const u of [a!, b!])
      await t.deps
        .db('users')
        .where({ id: u.id })
        .update({ totp_secret: plain, totp_enabled_at: t.clock.now() });

    const s = await signIn(t.app, a!.email, FACTORY_PASSWORD);
    const ok = await postCode(s.agent, csrfFrom((await s.agent.get('/login/two-step')).text), codeFor(plain));
    expect(ok.status).toBe(303);
    expect(await storedSecret(a!.id)).toMatch(/^v1\./);

    expect(await t.deps.twoStep.sealLegacySecrets()).toBeGreaterThanOrEqual(1);
    const sealed = (await storedSecret(b!.id))!;
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(plain);
    t.clock.advance(30_000);
    const sb = await signIn(t.app, b!.email, FACTORY_PASSWORD);
    const okB = await postCode(
      sb.agent,
      csrfFrom((await sb.agent.get('/login/two-step')).text),
      codeFor(plain),
    );
    expect(okB.status).toBe(303);
  });

  it('does not open a sealed secret under another user or another key', () => {
    const box = createSecretBox(Buffer.alloc(32, 7));
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'users.totp_secret:1');
    expect(box.open(sealed, 'users.totp_secret:1')).toBe('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toBe(box.seal('JBSWY3DPEHPK3PXP', 'users.totp_secret:1'));
    expect(() => box.open(sealed, 'users.totp_secret:2')).toThrow(/does not open/);
    expect(() => createSecretBox(Buffer.alloc(32, 8)).open(sealed, 'users.totp_secret:1')).toThrow(
      /TWO_STEP_ENCRYPTION_KEY/,
    );
    const [iv, tag, body] = sealed.slice(3).split('.');
    expect(() => box.open(`v1.${iv}.${tag!.slice(0, 8)}.${body}`, 'users.totp_secret:1')).toThrow();
  });

  it('sends the code page back to sign in when there is no pending password step', async () => {
    const anon = request.agent(t.app);
    expect((await anon.get('/login/two-step')).headers.location).toBe('/login');
  });
});
