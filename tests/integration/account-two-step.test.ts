import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { Secret, TOTP } from 'otpauth';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const codeFor = (secret: string): string =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: t.clock.now().getTime(),
  });

async function postCode(agent: Agent, from: string, to: string, code: string) {
  const page = await agent.get(from);
  return agent
    .post(to)
    .type('form')
    .send({ code, _csrf: csrfFrom(page.text) });
}

describe('two-step sign-in', () => {
  it('enrols with a QR code, then asks for a code at sign-in; codes and recovery codes work once', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id, role: 'portal_admin' });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);

    const account = await agent.get('/account');
    expect(account.text).toContain('Set up two-step sign-in');
    const enrol = await agent.get('/account/two-step');
    expect(enrol.status).toBe(200);
    expect(enrol.text).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="QR code/);
    expect(enrol.text).toContain('autocomplete="one-time-code"');
    const secret = /<code class="key">([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!.replace(/ /g, '');

    const wrong = await agent
      .post('/account/two-step')
      .type('form')
      .send({ code: '000000', _csrf: csrfFrom(enrol.text) });
    expect(wrong.status).toBe(400);
    const ok = await agent
      .post('/account/two-step')
      .type('form')
      .send({ code: ` ${codeFor(secret)} `, _csrf: csrfFrom(enrol.text) });
    expect(ok.status).toBe(200);
    const recovery = [...ok.text.matchAll(/<code>([0-9a-f]{5}-[0-9a-f]{5})<\/code>/g)].map((m) => m[1]!);
    expect(recovery).toHaveLength(10);
    const stored = JSON.stringify(await t.deps.db('user_recovery_codes').where({ user_id: u.id }));
    expect(stored).not.toContain(recovery[0]!.replace('-', ''));
    expect(stored).not.toContain(recovery[0]);

    // Password alone no longer signs in.
    const second = await signIn(t.app, u.email, FACTORY_PASSWORD);
    expect(second.res.status).toBe(303);
    expect(second.res.headers.location).toBe('/login/two-step');
    expect((await second.agent.get('/')).headers.location).toMatch(/^\/login/);
    // The code used at enrolment cannot be replayed.
    const replay = await postCode(second.agent, '/login/two-step', '/login/two-step', codeFor(secret));
    expect(replay.status).toBe(401);
    t.clock.advance(30_000);
    const good = await postCode(second.agent, '/login/two-step', '/login/two-step', codeFor(secret));
    expect(good.status).toBe(303);
    expect((await second.agent.get('/')).status).toBe(200);

    // A recovery code works once.
    const third = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const rc = await postCode(third.agent, '/login/two-step', '/login/two-step', recovery[0]!);
    expect(rc.status).toBe(303);
    const fourth = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const rc2 = await postCode(fourth.agent, '/login/two-step', '/login/two-step', recovery[0]!);
    expect(rc2.status).toBe(401);

    // Without a password first, the code page sends you to sign in.
    const anon = request.agent(t.app);
    expect((await anon.get('/login/two-step')).headers.location).toBe('/login');

    const audit = JSON.stringify(await t.deps.db('audit_log').where({ entity_id: String(u.id) }));
    expect(audit).toContain('two_step.enable');
    expect(audit).toContain('auth.two_step_passed');
    expect(audit).toContain('auth.two_step_failed');
    expect(audit).not.toContain(secret);
    expect(t.logs.join('\n')).not.toContain(secret);

    // Lost phone and codes: another admin of the customer switches it off for them.
    const other = await createUser(t.deps.db, { customer_id: c.id, role: 'portal_admin' });
    const admin = await signIn(t.app, other.email, FACTORY_PASSWORD);
    const page = await admin.agent.get(`/admin/users/${u.id}`);
    expect(page.text).toContain('Switch off two-step sign-in');
    const reset = await admin.agent
      .post(`/admin/users/${u.id}/two-step/reset`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(reset.status).toBe(303);
    expect((await signIn(t.app, u.email, FACTORY_PASSWORD)).res.headers.location).toBe('/');
    const row = (await t.deps
      .db('audit_log')
      .where({ entity_id: String(u.id), action: 'two_step.disable' })
      .first()) as { actor_user_id: number };
    expect(row.actor_user_id).toBe(other.id);
  });

  it('throttles wrong codes', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const enrol = await agent.get('/account/two-step');
    const secret = /<code class="key">([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!.replace(/ /g, '');
    await agent
      .post('/account/two-step')
      .type('form')
      .send({ code: codeFor(secret), _csrf: csrfFrom(enrol.text) });
    const s = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await postCode(s.agent, '/login/two-step', '/login/two-step', '123456')).status);
    expect(statuses.slice(0, 10).every((x) => x === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // A user may switch it off again.
    const page = await agent.get('/account');
    const off = await agent
      .post('/account/two-step/disable')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(off.status).toBe(303);
    expect((await signIn(t.app, u.email, FACTORY_PASSWORD)).res.headers.location).toBe('/');
  });
});

describe('two-step sign-in required of admins (TWO_STEP_FOR_ADMINS=required, the production default)', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startApp({ TWO_STEP_FOR_ADMINS: 'required' });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('sends an admin without it to set it up before any page; a user is not asked', async () => {
    const c = await createCustomer(strict.deps.db);
    const admin = await createUser(strict.deps.db, { customer_id: c.id, role: 'portal_admin' });
    const user = await createUser(strict.deps.db, { customer_id: c.id, permissions: ['invoices.view'] });
    const { agent } = await signIn(strict.app, admin.email, FACTORY_PASSWORD);
    for (const path of ['/', '/invoices', '/admin/users', '/account'])
      expect((await agent.get(path)).headers.location, path).toBe('/account/two-step');
    const enrol = await agent.get('/account/two-step');
    expect(enrol.status).toBe(200);
    expect(enrol.text).toContain('Set it up now to go on');
    // A state-changing post elsewhere is turned back too.
    const post = await agent
      .post('/admin/users/new')
      .type('form')
      .send({ _csrf: csrfFrom(enrol.text), name: 'X', email: 'x@example.com' });
    expect(post.headers.location).toBe('/account/two-step');

    const secret = /<code class="key">([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!.replace(/ /g, '');
    const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: strict.clock.now().getTime(),
    });
    const on = await agent
      .post('/account/two-step')
      .type('form')
      .send({ code, _csrf: csrfFrom(enrol.text) });
    expect(on.status).toBe(200);
    expect(on.text).toContain('Your recovery codes');
    expect((await agent.get('/')).status).toBe(200);

    const plain = await signIn(strict.app, user.email, FACTORY_PASSWORD);
    expect((await plain.agent.get('/')).status).toBe(200);
  });
});
