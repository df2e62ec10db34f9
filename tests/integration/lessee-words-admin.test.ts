/**
 * Editing a user's role or permissions signs them out (issue 20, item 12): the admin is told
 * before saving (a hint on the form) and after (the saved message), and the user who was signed
 * out reads why on the sign-in page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const text = pageText;

async function post(agent: Agent, from: string, to: string, fields: [string, string][]) {
  const page = await agent.get(from);
  const body = new URLSearchParams([...fields, ['_csrf', csrfFrom(page.text)]]);
  return agent.post(to).type('form').send(body.toString());
}

async function setUp() {
  const c = await createCustomer(t.deps.db);
  const admin = await createUser(t.deps.db, { customer_id: c.id, role: 'portal_admin', name: 'Ada Admin' });
  const olga = await createUser(t.deps.db, {
    customer_id: c.id,
    name: 'Olga Petrova',
    permissions: ['invoices.view'],
  });
  const { agent } = await signIn(t.app, admin.email, FACTORY_PASSWORD);
  const { agent: olgaAgent } = await signIn(t.app, olga.email, FACTORY_PASSWORD);
  expect((await olgaAgent.get('/')).status).toBe(200);
  return { admin: agent, olga, olgaAgent };
}

const SIGNED_OUT = 'Your access was changed by your administrator; sign in again.';

describe('changing a user’s permissions signs them out, and everyone is told', () => {
  it('the form warns before saving; the saved message says they were signed out; they read why when signing in', async () => {
    const { admin, olga, olgaAgent } = await setUp();
    const form = text((await admin.get(`/admin/users/${olga.id}`)).text);
    expect(form).toContain('Changing the role or permissions signs Olga Petrova out of the portal');

    const saved = await post(admin, `/admin/users/${olga.id}`, `/admin/users/${olga.id}`, [
      ['name', 'Olga Petrova'],
      ['email', olga.email],
      ['role', 'user'],
      ['permissions', 'invoices.view'],
      ['permissions', 'payments.make'],
    ]);
    expect(saved.status).toBe(303);
    const after = text((await admin.get(saved.headers.location!)).text);
    expect(after).toContain(
      'Saved. Olga Petrova was signed out and will see the new permissions at their next sign-in.',
    );

    // Olga's next request: signed out, and the sign-in page says why (once).
    const next = await olgaAgent.get('/invoices');
    expect(next.status).toBe(303);
    expect(next.headers.location).toMatch(/^\/login\?/);
    const login = await olgaAgent.get(next.headers.location!);
    expect(login.status).toBe(200);
    expect(text(login.text)).toContain(SIGNED_OUT);
    expect(text((await olgaAgent.get('/login')).text)).not.toContain(SIGNED_OUT);
  });

  it('a change of name only keeps them signed in and says nothing of signing out', async () => {
    const { admin, olga, olgaAgent } = await setUp();
    const saved = await post(admin, `/admin/users/${olga.id}`, `/admin/users/${olga.id}`, [
      ['name', 'Olga P. Petrova'],
      ['email', olga.email],
      ['role', 'user'],
      ['permissions', 'invoices.view'],
    ]);
    expect(saved.status).toBe(303);
    const after = text((await admin.get(saved.headers.location!)).text);
    expect(after).toContain('Changes to Olga P. Petrova saved.');
    expect(after).not.toContain('was signed out');
    expect((await olgaAgent.get('/invoices')).status).toBe(200);
  });

  it('someone who signs out by themselves is not told their access changed', async () => {
    const { olgaAgent } = await setUp();
    const home = await olgaAgent.get('/');
    const out = await olgaAgent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) });
    expect(out.status).toBe(303);
    const login = await olgaAgent.get(out.headers.location!);
    expect(text(login.text)).not.toContain(SIGNED_OUT);
  });
});
