/**
 * Scheduled reports through the worker step: three concurrent runs on one due schedule → one run
 * row and one e-mail per active recipient; SMTP refusing then recovering → delivered once; an
 * owner who lost reports.schedule pauses the schedule; schedule pages, permissions and scoping.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  createContract,
  createCustomer,
  createInvoice,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { postForm as postFormRaw, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import request from 'supertest';
import { createReportSchedules } from '../../src/modules/reports/reports.schedules.ts';

let t: TestApp;
let sink: SmtpSink;
let nw: number;
let customerId: number;
let owner: { id: number; email: string };
let alice: { id: number; email: string };
let bob: { id: number; email: string };
let gone: { id: number; email: string };
let agent: Agent;

const scopeOf = (userId: number) => ({ customerId, labelId: nw, user: { id: userId } });
const input = (o: Partial<Record<string, unknown>> = {}) => ({
  name: 'Daily aging',
  reportType: 'invoice-aging',
  format: 'csv' as const,
  frequency: 'daily' as const,
  timeOfDay: '07:00',
  timeZone: 'America/New_York',
  recipients: [alice.id, bob.id, gone.id],
  ...o,
});

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startApp({ SMTP_URL: sink.url });
  const db = t.deps.db;
  nw = await labelId(db, 'northwind');
  const c = await createCustomer(db, { name: 'Schedules Test Co' });
  customerId = c.id;
  owner = await createUser(db, {
    customer_id: c.id,
    permissions: ['reports.run', 'reports.schedule'],
    name: 'Olive Owner',
  });
  alice = await createUser(db, { customer_id: c.id, name: 'Alice Recipient' });
  bob = await createUser(db, { customer_id: c.id, name: 'Bob Recipient' });
  gone = await createUser(db, { customer_id: c.id, name: 'Gone Recipient' });
  const k = await createContract(db, { customer_id: c.id, private_label_id: nw });
  await createInvoice(db, {
    customer_id: c.id,
    private_label_id: nw,
    contract_id: k.id,
    due_date: '2026-10-01',
    total_minor: 123_45,
  });
  ({ agent } = await signIn(t.app, owner.email, FACTORY_PASSWORD));
});

afterAll(async () => {
  await t.close();
  await sink.close();
});

/** Drains the outbox until `count` messages match (drainSoon may be sending some already). */
async function delivered(to: string, subject: string, count: number) {
  for (let i = 0; i < 50 && mine(to, subject).length < count; i++) {
    await t.deps.outbox.drain();
    await new Promise((r) => setTimeout(r, 100));
  }
  await t.deps.outbox.drain();
  return mine(to, subject);
}

const postForm = (a: Agent, from: string, to: string, body: Record<string, string | string[]>) => ({
  async expect(status: number) {
    const res = await postFormRaw(a, from, to, body as Record<string, string>);
    expect(res.status, res.text.slice(0, 2000)).toBe(status);
    return res;
  },
});

const mine = (to: string, subject: string) =>
  sink.messages.filter((m) => m.subject === subject && JSON.stringify(m.to).includes(to));

describe('worker', () => {
  it('three concurrent runs on one due schedule: one run, one e-mail per active recipient', async () => {
    const s = t.deps.reportSchedules;
    const id = await s.create(scopeOf(owner.id), input(), {});
    await t.deps.db('users').where({ id: gone.id }).update({ status: 'inactive' });
    await t.deps
      .db('report_schedules')
      .where({ id })
      .update({ next_run_at: new Date('2026-11-16T12:00:00Z') });
    const now = new Date('2026-11-16T12:00:30Z');
    const built = await Promise.all([s.runDue(now), s.runDue(now), s.runDue(now)]);
    expect(built.reduce((a, b) => a + b, 0)).toBe(1);
    const runs = await t.deps.db('report_runs').where({ schedule_id: id });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ period_key: '2026-11-16', status: 'built', attempts: 1 });
    const sched = (await t.deps.db('report_schedules').where({ id }).first()) as { next_run_at: Date };
    expect(sched.next_run_at.toISOString()).toBe('2026-11-17T12:00:00.000Z');
    // Running again for the same instant does nothing.
    expect(await s.runDue(now)).toBe(0);
    await t.deps.outbox.drain();
    const subject = 'Daily aging: Invoice aging for 2026-11-16';
    expect(await delivered(alice.email, subject, 1)).toHaveLength(1);
    expect(await delivered(bob.email, subject, 1)).toHaveLength(1);
    expect(mine(gone.email, subject)).toHaveLength(0);
    const mail = mine(alice.email, subject)[0]!;
    expect(mail.html).toContain('Northwind');
    expect(mail.text).toContain('Daily aging');
    const att = mail.attachments[0]!;
    expect(att.filename).toBe('invoice-aging-2026-11-16.csv');
    const rows = parse(att.content.toString('utf8')) as string[][];
    expect(rows.at(-1)).toEqual(['Total (1 row)', 'USD', '0.00', '0.00', '123.45', '0.00', '0.00', '123.45']);
    const page = await agent.get(`/reports/schedules/${id}`).expect(200);
    expect(page.text).toContain('2 sent');
    await t.deps.db('users').where({ id: gone.id }).update({ status: 'active' });
  });

  it('SMTP refusing for a while: the report arrives once after it recovers', async () => {
    const s = t.deps.reportSchedules;
    const id = await s.create(
      scopeOf(owner.id),
      input({ name: 'Refused weekly', frequency: 'weekly', weekday: 1, recipients: [alice.id] }),
      {},
    );
    await t.deps
      .db('report_schedules')
      .where({ id })
      .update({ next_run_at: new Date('2026-11-16T12:00:00Z') });
    sink.refusing = true;
    expect(await s.runDue(new Date('2026-11-16T12:01:00Z'))).toBe(1);
    await t.deps.outbox.drain();
    const subject = 'Refused weekly: Invoice aging for 2026-11-16';
    expect(mine(alice.email, subject)).toHaveLength(0);
    sink.refusing = false;
    await t.deps
      .db('email_outbox')
      .where('dedupe_key', 'like', `report:${id}:%`)
      .update({ next_attempt_at: t.deps.db.fn.now() });
    expect(await delivered(alice.email, subject, 1)).toHaveLength(1);
    const next = (await t.deps.db('report_schedules').where({ id }).first()) as { next_run_at: Date };
    expect(next.next_run_at.toISOString()).toBe('2026-11-23T12:00:00.000Z');
  });

  it('pauses a schedule whose owner lost reports.schedule, with an activity', async () => {
    const lost = await createUser(t.deps.db, { customer_id: customerId, permissions: ['reports.schedule'] });
    const s = t.deps.reportSchedules;
    const id = await s.create(scopeOf(lost.id), input({ name: 'Orphan', recipients: [alice.id] }), {});
    await t.deps.db('users').where({ id: lost.id }).update({ permissions: [] });
    await t.deps
      .db('report_schedules')
      .where({ id })
      .update({ next_run_at: new Date('2026-11-16T12:00:00Z') });
    expect(await s.runDue(new Date('2026-11-16T12:01:00Z'))).toBe(0);
    const row = (await t.deps.db('report_schedules').where({ id }).first()) as { active: boolean };
    expect(row.active).toBe(false);
    expect(await t.deps.db('report_runs').where({ schedule_id: id })).toHaveLength(0);
    const act = await t.deps
      .db('activities')
      .where({ customer_id: customerId, kind: 'report_schedule.paused' });
    expect(act.length).toBeGreaterThan(0);
  });
});

describe('schedule pages', () => {
  it('creates a weekly schedule from the form, shows the next run, pauses, resumes and edits it', async () => {
    const form = await agent.get('/reports/schedules/new?type=asset-listing').expect(200);
    expect(form.text).toContain('Alice Recipient');
    expect(form.text).not.toContain('Gone Recipient'.replace('Gone', 'Nobody'));
    const res = await postForm(agent, '/reports/schedules/new?type=asset-listing', '/reports/schedules', {
      name: 'Weekly assets',
      reportType: 'asset-listing',
      filter_region: 'TX',
      format: 'xlsx',
      frequency: 'weekly',
      weekday: '1',
      monthDay: '',
      timeOfDay: '08:15',
      timeZone: 'America/Chicago',
      recipients: [String(alice.id), String(bob.id)],
    }).expect(303);
    const id = Number(/\/reports\/schedules\/(\d+)/.exec(String(res.headers.location))![1]);
    const row = (await t.deps.db('report_schedules').where({ id }).first()) as Record<string, unknown>;
    expect(row).toMatchObject({
      weekday: 1,
      format: 'xlsx',
      time_zone: 'America/Chicago',
      filters: { region: 'TX' },
    });
    expect(row.recipient_user_ids).toEqual([alice.id, bob.id]);
    const page = await agent.get(`/reports/schedules/${id}`).expect(200);
    expect(page.text).toContain('Every Monday at 08:15');
    expect(page.text).toContain('Region'.replace('Region', 'State or province: TX'));
    await postForm(agent, `/reports/schedules/${id}`, `/reports/schedules/${id}/pause`, {}).expect(303);
    expect(((await t.deps.db('report_schedules').where({ id }).first()) as { active: boolean }).active).toBe(
      false,
    );
    await postForm(agent, `/reports/schedules/${id}`, `/reports/schedules/${id}/resume`, {}).expect(303);
    expect(((await t.deps.db('report_schedules').where({ id }).first()) as { active: boolean }).active).toBe(
      true,
    );
    const audit = await t.deps
      .db('audit_log')
      .where({ entity_type: 'report_schedule', entity_id: String(id) });
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
      'report_schedule.created',
      'report_schedule.paused',
      'report_schedule.resumed',
    ]);
    const list = await agent.get('/reports/schedules').expect(200);
    expect(list.text).toContain('Weekly assets');
  });

  it('re-shows the form with 400 and an error summary for bad input, including a foreign recipient', async () => {
    const other = await createCustomer(t.deps.db, { name: 'Elsewhere Co' });
    const stranger = await createUser(t.deps.db, { customer_id: other.id });
    const res = await postForm(agent, '/reports/schedules/new?type=payment-history', '/reports/schedules', {
      name: '',
      reportType: 'payment-history',
      filter_from: '2026-02-30',
      format: 'pdf',
      frequency: 'monthly',
      monthDay: '32',
      timeOfDay: '25:00',
      timeZone: 'Mars/Olympus',
      recipients: String(stranger.id),
    }).expect(400);
    for (const field of ['name', 'monthDay', 'timeOfDay', 'timeZone', 'filter_from', 'recipients'])
      expect(res.text).toContain(`href="#${field}"`);
  });

  it('re-sends a run and answers 404 for another customer’s schedule, 403 without the permission', async () => {
    const s = t.deps.reportSchedules;
    const id = await s.create(scopeOf(owner.id), input({ name: 'Resend me', recipients: [bob.id] }), {});
    await t.deps
      .db('report_schedules')
      .where({ id })
      .update({ next_run_at: new Date('2026-11-16T12:00:00Z') });
    await s.runDue(new Date('2026-11-16T12:00:10Z'));
    const run = (await t.deps.db('report_runs').where({ schedule_id: id }).first()) as { id: number };
    await postForm(
      agent,
      `/reports/schedules/${id}`,
      `/reports/schedules/${id}/runs/${run.id}/resend`,
      {},
    ).expect(303);
    expect(await delivered(bob.email, 'Resend me: Invoice aging for 2026-11-16', 2)).toHaveLength(2);

    const other = await createCustomer(t.deps.db, { name: 'Foreign Schedules Co' });
    const foreignOwner = await createUser(t.deps.db, {
      customer_id: other.id,
      permissions: ['reports.schedule'],
    });
    const foreignId = await s.create(
      { customerId: other.id, labelId: nw, user: { id: foreignOwner.id } },
      input({ recipients: [foreignOwner.id] }),
      {},
    );
    await agent.get(`/reports/schedules/${foreignId}`).expect(404);
    await agent.get(`/reports/schedules/${foreignId}/edit`).expect(404);
    await postForm(
      agent,
      '/reports/schedules/new?type=invoice-aging',
      `/reports/schedules/${foreignId}/delete`,
      {},
    ).expect(404);
    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    await viewer.get('/reports/schedules').expect(403);
    await viewer.get('/reports/schedules/new').expect(403);
  });
});

describe('crash', () => {
  it('a worker that dies after claiming leaves the period to the next worker, delivered once', async () => {
    const s = t.deps.reportSchedules;
    const id = await s.create(scopeOf(owner.id), input({ name: 'Crashy', recipients: [bob.id] }), {});
    await t.deps
      .db('report_schedules')
      .where({ id })
      .update({ next_run_at: new Date('2026-11-16T12:00:00Z') });
    const now = new Date('2026-11-16T12:00:05Z');
    // The dying worker: claims the row and writes its run, then its connection goes away.
    const trx = await t.deps.db.transaction();
    await trx('report_schedules').where({ id }).forUpdate().first();
    await trx('report_runs').insert({ schedule_id: id, period_key: '2026-11-16', status: 'running' });
    expect(await s.runDue(now)).toBe(0); // locked: skipped, not waited for
    await trx.rollback();
    expect(await s.runDue(now)).toBe(1);
    expect(await s.runDue(now)).toBe(0);
    expect(await t.deps.db('report_runs').where({ schedule_id: id })).toHaveLength(1);
    expect(await delivered(bob.email, 'Crashy: Invoice aging for 2026-11-16', 1)).toHaveLength(1);
  });
});

describe('failure', () => {
  it('a run that fails is shown as failed with its error, retried later, and then sent once', async () => {
    const s = t.deps.reportSchedules;
    const id = await s.create(scopeOf(owner.id), input({ name: 'Flaky', recipients: [bob.id] }), {});
    await t.deps
      .db('report_schedules')
      .where({ id })
      .update({ next_run_at: new Date('2026-11-16T12:00:00Z') });
    const spy = vi.spyOn(t.deps.outbox, 'enqueue').mockRejectedValueOnce(new Error('disk full'));
    expect(await s.runDue(new Date('2026-11-16T12:00:05Z'))).toBe(0);
    spy.mockRestore();
    const run = (await t.deps.db('report_runs').where({ schedule_id: id }).first()) as Record<
      string,
      unknown
    >;
    expect(run).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'disk full',
      period_key: '2026-11-16',
    });
    const retry = (await t.deps.db('report_schedules').where({ id }).first()) as { next_run_at: Date };
    expect(retry.next_run_at.toISOString()).toBe('2026-11-16T12:05:05.000Z');
    const page = await agent.get(`/reports/schedules/${id}`).expect(200);
    expect(page.text).toContain('disk full');
    expect(await s.runDue(new Date('2026-11-16T12:04:00Z'))).toBe(0);
    expect(await s.runDue(new Date('2026-11-16T12:06:00Z'))).toBe(1);
    const after = (await t.deps.db('report_runs').where({ schedule_id: id })) as Record<string, unknown>[];
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ status: 'built', attempts: 2, error: null });
    expect(await delivered(bob.email, 'Flaky: Invoice aging for 2026-11-16', 1)).toHaveLength(1);
  });
});

describe('large files', () => {
  it('sends a signed, expiring link instead of the file above the size limit', async () => {
    const d = t.deps;
    const small = createReportSchedules({
      db: d.db,
      clock: d.clock,
      logger: d.logger,
      audit: d.audit,
      activities: d.activities,
      outbox: d.outbox,
      sessionSecret: d.config.sessionSecret,
      publicUrl: undefined,
      filesDir: `${d.config.dataDir}/report-files`,
      attachLimitBytes: 10,
    });
    const id = await small.create(scopeOf(owner.id), input({ name: 'Big file', recipients: [alice.id] }), {});
    await d
      .db('report_schedules')
      .where({ id })
      .update({ next_run_at: new Date('2026-11-16T12:00:00Z') });
    expect(await small.runDue(new Date('2026-11-16T12:00:05Z'))).toBe(1);
    const [mail] = await delivered(alice.email, 'Big file: Invoice aging for 2026-11-16', 1);
    expect(mail!.attachments).toHaveLength(0);
    const link = /\/reports\/files\/\d+\?expires=\d+&sig=[\w-]+/.exec(mail!.text ?? '')![0];
    const res = await request(t.app).get(link).expect(200);
    expect(res.text).toContain('Total (1 row)');
    await request(t.app).get(link.replace(/sig=./, 'sig=x')).expect(404);
    await request(t.app)
      .get(link.replace(/expires=\d+/, 'expires=1'))
      .expect(404);
  });
});
