import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

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

/** POSTs a form (repeated keys allowed) with the CSRF token of the page at `from`. */
async function post(agent: Agent, from: string, to: string, fields: [string, string][]) {
  const page = await agent.get(from);
  const body = new URLSearchParams([...fields, ['_csrf', csrfFrom(page.text)]]);
  return agent.post(to).type('form').send(body.toString());
}

async function adminOfNewCustomer() {
  const c = await createCustomer(t.deps.db);
  const admin = await createUser(t.deps.db, { customer_id: c.id, role: 'portal_admin', name: 'Ada Admin' });
  const { agent } = await signIn(t.app, admin.email, FACTORY_PASSWORD);
  return { c, admin, agent };
}

const user = (id: number) =>
  t.deps.db('users').where({ id }).first() as Promise<Record<string, unknown> & { status: string }>;

async function lastMailTo(address: string, after = 0) {
  // drainSoon() may already be sending it: drain, then wait for the sink to have it.
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

const linkIn = (text: string): string => {
  const m = /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(text);
  expect(m).not.toBeNull();
  return `/reset-password/${m![1]}`;
};

describe('admin users: access', () => {
  it('refuses a plain user on every admin route (403)', async () => {
    const { agent } = await signIn(t.app, 'viewer@acme.example');
    expect((await agent.get('/admin/users')).status).toBe(403);
    expect((await agent.get('/admin/users/new')).status).toBe(403);
    expect((await agent.get('/admin/audit')).status).toBe(403);
    const home = await agent.get('/');
    const res = await agent
      .post('/admin/users/new')
      .type('form')
      .send({ name: 'X', email: 'x-viewer@test.example', role: 'user', _csrf: csrfFrom(home.text) });
    expect(res.status).toBe(403);
    expect(await t.deps.db('users').where({ email: 'x-viewer@test.example' }).first()).toBeUndefined();
  });

  it("gives a portal admin 404 for another customer's user, reading or writing", async () => {
    const a = await adminOfNewCustomer();
    const b = await createCustomer(t.deps.db);
    const other = await createUser(t.deps.db, { customer_id: b.id, name: 'Bob Other' });
    expect((await a.agent.get(`/admin/users/${other.id}`)).status).toBe(404);
    const res = await post(a.agent, '/admin/users', `/admin/users/${other.id}`, [
      ['name', 'Hijacked'],
      ['email', other.email],
      ['role', 'portal_admin'],
    ]);
    expect(res.status).toBe(404);
    const deact = await post(a.agent, '/admin/users', `/admin/users/${other.id}/deactivate`, []);
    expect(deact.status).toBe(404);
    const after = await user(other.id);
    expect(after).toMatchObject({ name: 'Bob Other', role: 'user', status: 'active' });
    // The list shows only the admin's own customer.
    const list = await a.agent.get('/admin/users');
    expect(list.text).toContain('Ada Admin');
    expect(list.text).not.toContain(other.email);
  });
});

describe('admin users: invitation', () => {
  it('invites a colleague who accepts from the e-mail and signs in with only invoices.view', async () => {
    const a = await adminOfNewCustomer();
    const email = `New.Colleague-${Date.now()}@Test.example`;
    const res = await post(a.agent, '/admin/users/new', '/admin/users/new', [
      ['name', 'Nina New'],
      ['email', email],
      ['role', 'user'],
      ['permissions', 'invoices.view'],
      ['permissions', 'not.a.permission'],
      ['customer_id', '1'],
    ]);
    expect(res.status).toBe(303);
    const row = (await t.deps.db('users').where({ email: email.toLowerCase() }).first()) as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({
      status: 'invited',
      role: 'user',
      customer_id: a.c.id,
      permissions: ['invoices.view'],
      password_hash: null,
    });

    const mail = await lastMailTo(email.toLowerCase());
    expect(mail.subject).toMatch(/invited/i);
    const link = linkIn(mail.text ?? '');
    // Only the hash is stored, and the audit log holds no token.
    const token = link.split('/').pop()!;
    const tokens = (await t.deps.db('password_reset_tokens').where({ user_id: row.id })) as {
      token_hash: string;
      purpose: string;
    }[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.purpose).toBe('invite');
    expect(tokens[0]!.token_hash).not.toContain(token);
    const audit = JSON.stringify(await t.deps.db('audit_log').where({ entity_id: String(row.id) }));
    expect(audit).not.toContain(token);
    expect(audit).toContain('user.create');

    const { agent } = await signIn(t.app, email, 'whatever-password-1');
    const page = await agent.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('autocomplete="new-password"');
    expect(page.text).toContain('Welcome, Nina New');
    // Too short and too common are refused with the policy's messages.
    for (const [pw, msg] of [
      ['short-pw', '12 characters or more'],
      ['password1234', 'too common'],
    ]) {
      const bad = await agent
        .post(link)
        .type('form')
        .send({ password: pw, confirm: pw, _csrf: csrfFrom(page.text) });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain(msg);
    }
    const good = await agent
      .post(link)
      .type('form')
      .send({
        password: 'correct horse battery staple',
        confirm: 'correct horse battery staple',
        _csrf: csrfFrom(page.text),
      });
    expect(good.status).toBe(200);
    expect(good.text).toContain('Your account is ready');
    expect((await user(row.id as number)).status).toBe('active');
    // Single use.
    expect((await agent.get(link)).status).toBe(404);

    const nina = await signIn(t.app, email, 'correct horse battery staple');
    expect(nina.res.status).toBe(303);
    expect((await nina.agent.get('/invoices')).status).toBe(200);
    expect((await nina.agent.get('/payments/new')).status).toBe(403);
    expect((await nina.agent.get('/admin/users')).status).toBe(403);
  });

  it('re-sends an invitation; the earlier link stops working', async () => {
    const a = await adminOfNewCustomer();
    const email = `resend-${Date.now()}@test.example`;
    await post(a.agent, '/admin/users/new', '/admin/users/new', [
      ['name', 'Rita Resend'],
      ['email', email],
      ['role', 'user'],
    ]);
    const first = linkIn((await lastMailTo(email)).text ?? '');
    const id = ((await t.deps.db('users').where({ email }).first('id')) as { id: number }).id;
    const seen = sink.messages.length;
    const res = await post(a.agent, `/admin/users/${id}`, `/admin/users/${id}/invitation`, []);
    expect(res.status).toBe(303);
    const second = linkIn((await lastMailTo(email, seen)).text ?? '');
    expect(second).not.toBe(first);
    expect((await a.agent.get(first)).status).toBe(404);
    expect((await a.agent.get(second)).status).toBe(200);
  });

  it("inviting another customer's user answers exactly as a fresh invitation, creates nothing and tells the address's owner", async () => {
    const a = await adminOfNewCustomer();
    const other = await createCustomer(t.deps.db);
    const theirs = await createUser(t.deps.db, { customer_id: other.id, name: 'Olga Other' });
    const fresh = `fresh-${Date.now()}@test.example`;
    const seen = sink.messages.length;
    const answers: string[] = [];
    for (const email of [fresh, theirs.email.toUpperCase()]) {
      const res = await post(a.agent, '/admin/users/new', '/admin/users/new', [
        ['name', 'Someone'],
        ['email', email],
        ['role', 'user'],
      ]);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/users');
      const list = await a.agent.get('/admin/users');
      const flash = /<div class="notice[^"]*"[^>]*>[\s\S]*?<\/div>/.exec(list.text)![0];
      answers.push(flash.replace(email.toLowerCase(), 'EMAIL'));
    }
    expect(answers[0]).toContain('Invitation sent to EMAIL.');
    expect(answers[1]).toBe(answers[0]);
    // No user of this customer was made for the other customer's address, and theirs is untouched.
    expect(await t.deps.db('users').where({ email: theirs.email })).toHaveLength(1);
    expect(await user(theirs.id)).toMatchObject({
      customer_id: other.id,
      name: 'Olga Other',
      status: 'active',
    });
    expect(await t.deps.db('password_reset_tokens').where({ user_id: theirs.id })).toHaveLength(0);
    // The owner of the address hears that someone tried, with no link to follow.
    const notice = await lastMailTo(theirs.email, seen);
    expect(notice.subject).toBe(
      'Someone tried to invite you to the Northwind Equipment Finance customer portal',
    );
    expect(notice.text).toContain('no new account was created');
    expect(notice.text).not.toMatch(/reset-password/);
    expect(JSON.stringify(notice.from)).toContain('billing@northwind.example');
  });

  it('says so when the address is already a user of the same customer, whatever its case', async () => {
    const a = await adminOfNewCustomer();
    const mine = await createUser(t.deps.db, { customer_id: a.c.id });
    const res = await post(a.agent, '/admin/users/new', '/admin/users/new', [
      ['name', 'Dup'],
      ['email', mine.email.toUpperCase()],
      ['role', 'user'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('already exists');
    // Two invitations for one new address at the same moment: one wins, the other is told why.
    const email = `race-${Date.now()}@test.example`;
    const page = await a.agent.get('/admin/users/new');
    const body = new URLSearchParams({
      name: 'Race',
      email,
      role: 'user',
      _csrf: csrfFrom(page.text),
    }).toString();
    const both = await Promise.all([
      a.agent.post('/admin/users/new').type('form').send(body),
      a.agent.post('/admin/users/new').type('form').send(body),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([303, 400]);
    expect(await t.deps.db('users').where({ email })).toHaveLength(1);
  });
});

describe('admin users: no escalation', () => {
  it('refuses role=superuser and ignores a posted customer_id, on create and on edit', async () => {
    const a = await adminOfNewCustomer();
    const other = await createCustomer(t.deps.db);
    const email = `esc-${Date.now()}@test.example`;
    const created = await post(a.agent, '/admin/users/new', '/admin/users/new', [
      ['name', 'Eve'],
      ['email', email],
      ['role', 'superuser'],
    ]);
    expect(created.status).toBe(400);
    expect(await t.deps.db('users').where({ email }).first()).toBeUndefined();

    const target = await createUser(t.deps.db, { customer_id: a.c.id, name: 'Tom Target' });
    const before = await user(target.id);
    const edit = await post(a.agent, `/admin/users/${target.id}`, `/admin/users/${target.id}`, [
      ['name', 'Tom Target'],
      ['email', target.email],
      ['role', 'superuser'],
      ['customer_id', String(other.id)],
    ]);
    expect(edit.status).toBe(400);
    expect(await user(target.id)).toEqual(before);

    const edit2 = await post(a.agent, `/admin/users/${target.id}`, `/admin/users/${target.id}`, [
      ['name', 'Tom Target'],
      ['email', target.email],
      ['role', 'user'],
      ['customer_id', String(other.id)],
      ['permissions', 'contracts.view'],
    ]);
    expect(edit2.status).toBe(303);
    expect(await user(target.id)).toMatchObject({
      customer_id: a.c.id,
      role: 'user',
      permissions: ['contracts.view'],
    });
  });
});

describe('admin users: last admin and deactivation', () => {
  it('an admin cannot deactivate or demote themselves; the last active admin stays', async () => {
    const a = await adminOfNewCustomer();
    const self = await post(
      a.agent,
      `/admin/users/${a.admin.id}`,
      `/admin/users/${a.admin.id}/deactivate`,
      [],
    );
    expect(self.status).toBe(409);
    expect(self.text).toContain('You cannot deactivate yourself');
    const demote = await post(a.agent, `/admin/users/${a.admin.id}`, `/admin/users/${a.admin.id}`, [
      ['name', 'Ada Admin'],
      ['email', a.admin.email],
      ['role', 'user'],
    ]);
    expect(demote.status).toBe(400);
    expect(await user(a.admin.id)).toMatchObject({ role: 'portal_admin', status: 'active' });

    // A superuser acting for the customer cannot remove its last active admin either.
    const su = await signIn(t.app, 'super@northwind.example');
    const sw = await post(su.agent, '/customers/switch', '/customers/switch', [
      ['customerId', String(a.c.id)],
    ]);
    expect(sw.status).toBe(303);
    const r1 = await post(
      su.agent,
      `/admin/users/${a.admin.id}`,
      `/admin/users/${a.admin.id}/deactivate`,
      [],
    );
    expect(r1.status).toBe(409);
    expect(r1.text).toContain('last active portal admin');
    const r2 = await post(su.agent, `/admin/users/${a.admin.id}`, `/admin/users/${a.admin.id}`, [
      ['name', 'Ada Admin'],
      ['email', a.admin.email],
      ['role', 'user'],
    ]);
    expect(r2.status).toBe(400);
    expect(r2.text).toContain('last active portal admin');
    expect(await user(a.admin.id)).toMatchObject({ role: 'portal_admin', status: 'active' });

    // With a second active admin, the first may be demoted by someone else.
    const second = await createUser(t.deps.db, { customer_id: a.c.id, role: 'portal_admin' });
    const r3 = await post(su.agent, `/admin/users/${second.id}`, `/admin/users/${second.id}/deactivate`, []);
    expect(r3.status).toBe(303);
    expect((await user(second.id)).status).toBe('inactive');
  });

  it("ends a deactivated user's live session on the next request and pauses their schedules", async () => {
    const a = await adminOfNewCustomer();
    const victim = await createUser(t.deps.db, {
      customer_id: a.c.id,
      permissions: ['invoices.view'],
      name: 'Val Victim',
    });
    const label = (await t.deps.db('private_labels').first('id')) as { id: number };
    const [sched] = (await t.deps
      .db('report_schedules')
      .insert({
        customer_id: a.c.id,
        private_label_id: label.id,
        owner_user_id: victim.id,
        name: 'Weekly',
        report_type: 'invoices',
        frequency: 'weekly',
        weekday: 1,
        time_zone: 'UTC',
        active: true,
      })
      .returning('id')) as { id: number }[];
    const v = await signIn(t.app, victim.email, FACTORY_PASSWORD);
    expect((await v.agent.get('/')).status).toBe(200);

    const confirm = await a.agent.get(`/admin/users/${victim.id}/deactivate`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Yes, deactivate Val Victim');
    const res = await a.agent
      .post(`/admin/users/${victim.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) });
    expect(res.status).toBe(303);

    const next = await v.agent.get('/');
    expect(next.status).toBe(303);
    expect(next.headers.location).toMatch(/^\/login/);
    expect(
      ((await t.deps.db('report_schedules').where({ id: sched!.id }).first()) as { active: boolean }).active,
    ).toBe(false);
    expect((await signIn(t.app, victim.email, FACTORY_PASSWORD)).res.status).toBe(401);

    const audit = (await t.deps
      .db('audit_log')
      .where({ entity_id: String(victim.id), action: 'user.deactivate' })
      .first()) as {
      before: { status: string };
      after: { status: string };
      actor_user_id: number;
      request_id: string;
    };
    expect(audit).toMatchObject({
      before: { status: 'active' },
      after: { status: 'inactive' },
      actor_user_id: a.admin.id,
    });
    expect(audit.request_id).toBeTruthy();

    // Activate again (with confirmation).
    const act = await post(
      a.agent,
      `/admin/users/${victim.id}/activate`,
      `/admin/users/${victim.id}/activate`,
      [],
    );
    expect(act.status).toBe(303);
    expect((await user(victim.id)).status).toBe('active');

    // The audit page shows both steps for this customer.
    const page = await a.agent.get('/admin/audit?action=user.deactivate');
    expect(page.status).toBe(200);
    expect(page.text).toContain('user.deactivate');
    expect(page.text).toContain('Ada Admin');
  });

  it('lists with search, role and status filters', async () => {
    const a = await adminOfNewCustomer();
    await createUser(t.deps.db, { customer_id: a.c.id, name: 'Zed Inactive', status: 'inactive' });
    await createUser(t.deps.db, { customer_id: a.c.id, name: 'Yan Active' });
    const all = await a.agent.get('/admin/users');
    expect(all.text).toContain('3 users');
    const inactive = await a.agent.get('/admin/users?status=inactive');
    expect(inactive.text).toContain('Zed Inactive');
    expect(inactive.text).not.toContain('Yan Active');
    const admins = await a.agent.get('/admin/users?role=portal_admin');
    expect(admins.text).toContain('1 user.');
    const q = await a.agent.get('/admin/users?q=yan');
    expect(q.text).toContain('Yan Active');
    expect(q.text).not.toContain('Zed Inactive');
  });
});
