import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { passwordProblem } from '../../src/modules/password/password.policy.ts';

let t: TestApp;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startApp({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function mailTo(address: string, after = 0) {
  await t.deps.outbox.drain();
  const until = Date.now() + 10_000;
  for (;;) {
    const mail = sink.messages
      .slice(after)
      .reverse()
      .find((m) => JSON.stringify(m.to ?? '').includes(address));
    if (mail) return mail;
    if (Date.now() > until) throw new Error(`no e-mail to ${address}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function forgot(email: string, ip = '127.0.0.1') {
  const agent = request.agent(t.app);
  const page = await agent.get('/forgot-password').set('X-Forwarded-For', ip);
  return agent
    .post('/forgot-password')
    .set('X-Forwarded-For', ip)
    .type('form')
    .send({ email, _csrf: csrfFrom(page.text) });
}

const strip = (html: string, email: string) =>
  html
    .replace(/name="_csrf" value="[^"]+"/g, '')
    .replace(/<meta name="csrf-token"[^>]*>/g, '')
    .replaceAll(email, 'EMAIL');

describe('password policy', () => {
  it('wants 12 to 1,024 characters, not a common password, not the e-mail address', () => {
    expect(passwordProblem('short')).toMatch(/12 characters/);
    expect(passwordProblem('x'.repeat(1025))).toMatch(/1,024/);
    expect(passwordProblem('qwertyuiop123')).toMatch(/too common/);
    expect(passwordProblem('Password1234')).toMatch(/too common/);
    expect(passwordProblem('someone@test.example', 'someone@test.example')).toMatch(/email/);
    // 1,024 characters are accepted when they are hard to guess (one letter repeated is not).
    expect(passwordProblem('maple orbit quiet lantern '.repeat(40).slice(0, 1024))).toBeUndefined();
    expect(passwordProblem('x'.repeat(1024))).toMatch(/easy to guess/);
    expect(passwordProblem('correct horse battery staple '.repeat(3).slice(0, 64))).toBeUndefined();
    expect(passwordProblem('ünïcödé pässwörd ✓')).toBeUndefined();
    expect(passwordProblem('tulip anchor velvet 42')).toBeUndefined();
  });
});

describe('forgotten password', () => {
  it('answers the same whether or not the address exists; only a real one gets a link', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const unknown = `nobody-${Date.now()}@test.example`;
    const seen = sink.messages.length;
    const a = await forgot(u.email, '198.51.100.1');
    const b = await forgot(unknown, '198.51.100.2');
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(strip(a.text, u.email).replace(/request-id[^"]*"[^"]*"/g, '')).toBe(
      strip(b.text, unknown).replace(/request-id[^"]*"[^"]*"/g, ''),
    );
    const mail = await mailTo(u.email, seen);
    expect(mail.subject).toMatch(/Reset/);
    await t.deps.outbox.drain();
    expect(sink.messages.slice(seen).some((m) => JSON.stringify(m.to).includes(unknown))).toBe(false);
  });

  it('looks at the address only after answering: nothing is done for a known one before the response', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const label = (await t.deps.labels.forHost('localhost'))!;
    const ctx = { ip: '198.51.100.30', requestId: 'timing' };
    const known = await t.deps.passwords.forgot(u.email, '198.51.100.30', label, ctx);
    const unknown = await t.deps.passwords.forgot(
      `nobody-${Date.now()}@test.example`,
      '198.51.100.31',
      label,
      ctx,
    );
    expect(known.ok && unknown.ok).toBe(true);
    // What the route awaits before answering: the throttle only. No look-up result, audit row,
    // link or e-mail exists yet for the known address.
    const traces = async () => ({
      outbox: (await t.deps.db('email_outbox').where({ to_address: u.email })).length,
      tokens: (await t.deps.db('password_reset_tokens').where({ user_id: u.id })).length,
      audit: (
        await t.deps.db('audit_log').where({ entity_id: String(u.id), action: 'password.reset_requested' })
      ).length,
    });
    expect(await traces()).toEqual({ outbox: 0, tokens: 0, audit: 0 });
    if (!known.ok || !unknown.ok) return;
    await Promise.all([known.afterResponse(), unknown.afterResponse()]);
    expect(await traces()).toMatchObject({ outbox: 1, audit: 1 });
    expect((await mailTo(u.email)).subject).toMatch(/Reset/);
  });

  it('resets once with the e-mailed link, ends other sessions, and the old password stops working', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const other = await signIn(t.app, u.email, FACTORY_PASSWORD);
    expect((await other.agent.get('/account')).status).toBe(200);
    const seen = sink.messages.length;
    await forgot(u.email, '198.51.100.3');
    const mail = await mailTo(u.email, seen);
    const link = /\/reset-password\/[A-Za-z0-9_-]{43}/.exec(mail.text ?? '')![0];
    const agent = request.agent(t.app);
    const page = await agent.get(link);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const mismatch = await agent
      .post(link)
      .type('form')
      .send({
        password: 'a brand new passphrase',
        confirm: 'something else entirely',
        _csrf: csrfFrom(page.text),
      });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('do not match');
    const ok = await agent
      .post(link)
      .type('form')
      .send({
        password: 'a brand new passphrase',
        confirm: 'a brand new passphrase',
        _csrf: csrfFrom(page.text),
      });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Your password has been changed');
    expect((await agent.get(link)).status).toBe(404);
    // The session that was open before the reset has ended.
    const after = await other.agent.get('/account');
    expect(after.status).toBe(303);
    expect((await signIn(t.app, u.email, FACTORY_PASSWORD)).res.status).toBe(401);
    expect((await signIn(t.app, u.email, 'a brand new passphrase')).res.status).toBe(303);
    const audit = JSON.stringify(await t.deps.db('audit_log').where({ entity_id: String(u.id) }));
    expect(audit).toContain('password.reset');
    expect(audit).not.toContain(link.split('/').pop());
    expect(audit).not.toContain('brand new passphrase');
    // Nor do the logs: the link's path is logged redacted.
    const logs = t.logs.join('\n');
    expect(logs).not.toContain(link.split('/').pop());
    expect(logs).not.toContain('brand new passphrase');
    expect(logs).toContain('/reset-password/[redacted]');
  });

  it('refuses an expired link', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const seen = sink.messages.length;
    await forgot(u.email, '198.51.100.4');
    const link = /\/reset-password\/[A-Za-z0-9_-]{43}/.exec((await mailTo(u.email, seen)).text ?? '')![0];
    await t.deps
      .db('password_reset_tokens')
      .where({ user_id: u.id })
      .update({ expires_at: new Date(t.clock.now().getTime() - 1000) });
    const res = await request(t.app).get(link);
    expect(res.status).toBe(404);
    expect(res.text).toContain('expired or was already used');
    expect((await request(t.app).get('/reset-password/not-a-token')).status).toBe(404);
  });

  it('throttles repeated requests for one address', async () => {
    const email = `throttle-${Date.now()}@test.example`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await forgot(email, `198.51.100.${10 + i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('account', () => {
  it('changes the password with the current one; other sessions end, this one stays', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id, name: 'Acc Owner' });
    const mine = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const other = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const page = await mine.agent.get('/account');
    expect(page.text).toContain('autocomplete="current-password"');
    expect(page.text).toContain('autocomplete="new-password"');
    const wrong = await mine.agent
      .post('/account/password')
      .type('form')
      .send({
        current: 'not my password',
        password: 'fresh long passphrase',
        confirm: 'fresh long passphrase',
        _csrf: csrfFrom(page.text),
      });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('current password is wrong');
    const ok = await mine.agent
      .post('/account/password')
      .type('form')
      .send({
        current: FACTORY_PASSWORD,
        password: 'fresh long passphrase',
        confirm: 'fresh long passphrase',
        _csrf: csrfFrom(page.text),
      });
    expect(ok.status).toBe(303);
    const still = await mine.agent.get('/account');
    expect(still.status).toBe(200);
    expect(still.text).toContain('Your password has been changed');
    expect((await other.agent.get('/account')).status).toBe(303);

    const named = await mine.agent
      .post('/account/name')
      .type('form')
      .send({ name: 'Acc Renamed', _csrf: csrfFrom(still.text) });
    expect(named.status).toBe(303);
    expect((await mine.agent.get('/account')).text).toContain('Acc Renamed');
  });
});
