/**
 * Weak passwords are refused on every page that sets one (reset link, invitation, account),
 * scored by zxcvbn-ts with the user's e-mail and name, the customer's name and the label's name
 * as words to avoid; the page says why and how to choose better; a strong passphrase is taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type TestApp, pageText } from '../helpers/app.ts';
import { issueToken, type TokenPurpose } from '../../src/modules/password/password.tokens.ts';

/** Weak, each for its own reason; "Northwind2026" is built on the label's name (localhost). */
const WEAK = ['aaaaaaaaaaaa', 'qwertyuiopas', 'abcabcabcabc', 'Northwind2026'];
const STRONG = 'tulip anchor velvet lantern';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const text = pageText;

/** The error page: status 400, the summary, why, and how to choose better. */
function expectRefused(res: request.Response, password: string): void {
  expect(res.status, password).toBe(400);
  const body = text(res.text);
  expect(body, password).toContain('There is a problem');
  expect(res.text, password).toContain('href="#password"');
  expect(body, password).toMatch(/This password is (easy to guess: it|too common)/);
  expect(body, password).toContain('three or four unrelated words (12 characters or more)');
  expect(body, password).not.toContain(password);
}

async function linkFor(purpose: TokenPurpose, customerName?: string) {
  const db = t.deps.db;
  const c = await createCustomer(db, customerName ? { name: customerName } : {});
  const u = await createUser(db, {
    customer_id: c.id,
    status: purpose === 'invite' ? 'invited' : 'active',
    name: 'Quentin Example',
  });
  const { token } = await issueToken(db, u.id, purpose, t.clock.now());
  return { user: u, path: `/reset-password/${token}` };
}

async function postNew(path: string, password: string) {
  const agent = request.agent(t.app);
  const page = await agent.get(path).expect(200);
  return agent
    .post(path)
    .type('form')
    .send({ password, confirm: password, _csrf: csrfFrom(page.text) });
}

describe('weak passwords are refused', () => {
  it.each(['reset', 'invite'] as const)(
    'on the %s link: each weak password gets a 400 saying why, then a passphrase is taken',
    async (purpose) => {
      const { user, path } = await linkFor(purpose);
      for (const weak of WEAK) expectRefused(await postNew(path, weak), weak);
      const ok = await postNew(path, STRONG);
      expect(ok.status).toBe(200);
      expect(text(ok.text)).toMatch(
        purpose === 'invite' ? /Your account is ready/ : /password has been changed/,
      );
      expect((await signIn(t.app, user.email, STRONG)).res.status).toBe(303);
    },
  );

  it("refuses a password built on the customer's name, the user's name or e-mail on an invitation", async () => {
    const { user, path } = await linkFor('invite', 'Zephyrine Haulage Ltd');
    for (const weak of ['ZephyrineHaulage2026', 'Zephyrine-Haulage!', 'QuentinExample1', `${user.email}1`])
      expectRefused(await postNew(path, weak), weak);
    expect(text((await postNew(path, 'Zephyrine orbit maple quiet')).text)).toMatch(/Your account is ready/);
  });

  it('on the account page: each weak password gets a 400 and the old one still works; a passphrase is taken', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const change = async (password: string) => {
      const page = await agent.get('/account').expect(200);
      return agent
        .post('/account/password')
        .type('form')
        .send({ current: FACTORY_PASSWORD, password, confirm: password, _csrf: csrfFrom(page.text) });
    };
    for (const weak of WEAK) expectRefused(await change(weak), weak);
    expect((await signIn(t.app, u.email, FACTORY_PASSWORD)).res.status).toBe(303);
    const ok = await change(STRONG);
    expect(ok.status).toBe(303);
    expect((await signIn(t.app, u.email, STRONG)).res.status).toBe(303);
  });
});
