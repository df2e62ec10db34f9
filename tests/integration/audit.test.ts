import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

describe('audit log page', () => {
  it("shows only the current customer's entries, filtered by actor, action and date", async () => {
    const a = await createCustomer(t.deps.db, { name: 'Audit Alpha' });
    const b = await createCustomer(t.deps.db, { name: 'Audit Beta' });
    const admin = await createUser(t.deps.db, {
      customer_id: a.id,
      role: 'portal_admin',
      name: 'Alma Auditor',
    });
    const other = await createUser(t.deps.db, { customer_id: b.id, name: 'Bert Beta' });
    await t.deps.audit.record({
      actorUserId: other.id,
      actingCustomerId: b.id,
      action: 'beta.secret_thing',
      entityType: 'x',
    });
    await t.deps.audit.record({
      actorUserId: admin.id,
      actingCustomerId: a.id,
      action: 'alpha.old_thing',
      entityType: 'x',
    });
    await t.deps.db.raw(
      "insert into audit_log (actor_user_id, acting_customer_id, action, entity_type, at) values (?, ?, 'alpha.ancient', 'x', '2020-01-15T12:00:00Z')",
      [admin.id, a.id],
    );
    const { agent } = await signIn(t.app, admin.email, FACTORY_PASSWORD);
    const all = await agent.get('/admin/audit');
    expect(all.status).toBe(200);
    expect(all.headers['cache-control']).toBe('no-store');
    expect(all.text).toContain('alpha.old_thing');
    expect(all.text).toContain('auth.sign_in');
    expect(all.text).not.toContain('beta.secret_thing');
    expect(all.text).not.toContain('Bert Beta');

    const byAction = await agent.get('/admin/audit?action=alpha.old_thing');
    expect(byAction.text).toContain('1 entry.');
    const byActor = await agent.get('/admin/audit?actor=nobody-such');
    expect(byActor.text).toContain('No entries match.');
    const byDate = await agent.get('/admin/audit?from=2020-01-01&to=2020-01-31');
    expect(byDate.text).toContain('<code>alpha.ancient</code>');
    // (the action filter's options list every action; the table does not)
    expect(byDate.text).not.toContain('<code>alpha.old_thing</code>');
    // Nonsense filters are ignored, never a 500.
    const junk = await agent.get('/admin/audit?from=2020-13-45&page=-3&actor=%25');
    expect(junk.status).toBe(200);

    // A superuser sees the customer chosen in the switcher.
    const su = await signIn(t.app, 'super@northwind.example');
    const sw = await su.agent.get('/customers/switch');
    await su.agent
      .post('/customers/switch')
      .type('form')
      .send({ customerId: String(b.id), _csrf: csrfFrom(sw.text) });
    const beta = await su.agent.get('/admin/audit');
    expect(beta.text).toContain('beta.secret_thing');
    expect(beta.text).not.toContain('<code>alpha.old_thing</code>');
  });

  it('refuses to change or delete history', async () => {
    await expect(t.deps.db('audit_log').update({ action: 'x' })).rejects.toThrow(/append-only/);
    await expect(t.deps.db('audit_log').del()).rejects.toThrow(/append-only/);
  });
});
