/**
 * The audit log reads as sentences in the label's time zone ("Olga Petrova accepted their
 * invitation", "Dana Admin changed Olga Petrova’s permissions: + Make payments"), with the raw
 * record (action code, request id, UTC time) one click away in a details toggle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { signIn, startApp, type TestApp, pageText } from '../helpers/app.ts';
import { describeEntry } from '../../src/modules/audit/audit.words.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const text = pageText;

describe('audit log in words', () => {
  it('shows who did what as a sentence, and the raw record only inside the details toggle', async () => {
    const db = t.deps.db;
    const c = await createCustomer(db);
    const dana = await createUser(db, { customer_id: c.id, role: 'portal_admin', name: 'Dana Admin' });
    const olga = await createUser(db, {
      customer_id: c.id,
      permissions: ['invoices.view'],
      name: 'Olga Petrova',
    });
    await t.deps.audit.record({
      actorUserId: olga.id,
      actingCustomerId: c.id,
      action: 'user.invitation_accepted',
      entityType: 'user',
      entityId: olga.id,
      requestId: 'req-accept-0001',
    });
    await t.deps.audit.record({
      actorUserId: dana.id,
      actingCustomerId: c.id,
      action: 'user.update',
      entityType: 'user',
      entityId: olga.id,
      before: { name: 'Olga Petrova', role: 'user', permissions: ['invoices.view'], status: 'active' },
      after: {
        name: 'Olga Petrova',
        role: 'user',
        permissions: ['invoices.view', 'payments.make'],
        status: 'active',
      },
      requestId: 'req-update-0002',
    });
    const { agent } = await signIn(t.app, dana.email, FACTORY_PASSWORD);
    const res = await agent.get('/admin/audit');
    expect(res.status).toBe(200);
    const rows = [...res.text.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) =>
      m[1]!.replace(/&#39;|’/g, '’'),
    );
    expect(rows).toContain('Olga Petrova accepted their invitation');
    expect(rows).toContain('Dana Admin changed Olga Petrova’s permissions: + Make payments');
    // Times in the label's zone and words (Nov 16, 2026, 9:00 AM), not ISO; the request id and
    // the code only inside the details.
    // (The filter's options carry codes as their values; the table is what a person reads.)
    const table = res.text.slice(res.text.indexOf('<table'), res.text.indexOf('</table>'));
    const outsideDetails = table.replace(/<details[\s\S]*?<\/details>/g, '');
    expect(text(outsideDetails)).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(outsideDetails).not.toContain('req-update-0002');
    expect(outsideDetails).not.toContain('user.update');
    expect(res.text).toMatch(/<details[^>]*>[\s\S]*req-update-0002[\s\S]*<\/details>/);
  });

  it("reads the demo customer's whole log as sentences (no entry falls back to a code)", async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    const res = await agent.get('/admin/audit');
    const rows = [...res.text.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]!);
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) expect(r, r).not.toMatch(/: .*\(|_|\(user \d+\)/);
    // The seeded permission change, found among however many entries other tests have added.
    const updates = await agent.get('/admin/audit?action=user.update');
    const changed = [...updates.text.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]!);
    expect(changed.some((r) => /changed Priya Raman’s permissions: \+ /.test(r.replace(/&#39;/g, '’')))).toBe(
      true,
    );
  });

  it('names every action the portal records in words, never as a code', () => {
    for (const action of [
      'auth.sign_in',
      'auth.sign_in_failed',
      'user.create',
      'user.deactivate',
      'payment.submitted',
      'autopay.enrolled',
      'payoff_quote.requested',
      'service_request.created',
      'report_schedule.created',
      'document.uploaded',
    ]) {
      const s = describeEntry({
        action,
        entityType: 'user',
        entityId: '7',
        before: null,
        after: null,
        actorName: 'Dana Admin',
        actorEmail: 'dana@example.test',
        subjectName: 'Olga Petrova',
      });
      expect(s, action).not.toContain(action);
      expect(s, action).not.toMatch(/_/);
    }
  });
});
