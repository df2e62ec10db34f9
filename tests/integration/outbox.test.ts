import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { jobs } from '../../src/jobs.ts';
import { backoffSeconds, PRUNE_SENT_AFTER_DAYS } from '../../src/modules/outbox/outbox.service.ts';
import { createCustomer, createUser } from '../factories/index.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let sink: SmtpSink;
let t: TestApp;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startApp({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('e-mail outbox', () => {
  it('sends a queued message once over real SMTP, with attachment, even if queued twice', async () => {
    const key = `test:${Date.now()}`;
    const msg = {
      to: 'clerk@acme.example',
      from: null,
      subject: `Receipt ${key}`,
      text: 'Thank you',
      html: '<p>Thank you</p>',
      dedupeKey: key,
      attachments: [
        { filename: 'r.txt', contentType: 'text/plain', content: Buffer.from('hello').toString('base64') },
      ],
    };
    await t.deps.outbox.enqueue(msg);
    await t.deps.outbox.enqueue(msg);
    await Promise.all([t.deps.outbox.drain(), t.deps.outbox.drain()]);
    const mine = sink.messages.filter((m) => m.subject === `Receipt ${key}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.text?.trim()).toBe('Thank you');
    expect(mine[0]!.attachments[0]!.content.toString()).toBe('hello');
  });

  it('keeps a message while SMTP refuses, backs off, and delivers it once after recovery', async () => {
    const key = `down:${Date.now()}`;
    sink.refusing = true;
    await t.deps.outbox.enqueue({
      to: 'ap@acme.example',
      from: null,
      subject: `Down ${key}`,
      text: 'x',
      dedupeKey: key,
    });
    expect(await t.deps.outbox.drain()).toBe(0);
    const row = (await t.deps.db('email_outbox').where({ dedupe_key: key }).first()) as {
      status: string;
      attempts: number;
      last_error: string;
    };
    expect(row.status).toBe('queued');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/451|Try again/);
    // Compared with the database's own clock: the suite also runs with the process's wall clock
    // a year ahead (faketime), which PostgreSQL's now() does not follow.
    const later = (await t.deps.db.raw(
      `select next_attempt_at > now() + interval '20 seconds' as later from email_outbox where dedupe_key = ?`,
      [key],
    )) as { rows: { later: boolean }[] };
    sink.refusing = false;
    expect(later.rows[0]!.later).toBe(true);
    await t.deps
      .db('email_outbox')
      .where({ dedupe_key: key })
      .update({ next_attempt_at: t.deps.db.fn.now() });
    await t.deps.outbox.drain();
    await t.deps.outbox.drain();
    expect(sink.messages.filter((m) => m.subject === `Down ${key}`)).toHaveLength(1);
  });

  it('backs off exponentially, capped at an hour', () => {
    expect([1, 2, 3, 4].map(backoffSeconds)).toEqual([30, 60, 120, 240]);
    expect(backoffSeconds(20)).toBe(3600);
  });

  it('a reset link never rests in the outbox: minted when sent; the e-mail received still works', async () => {
    const c = await createCustomer(t.deps.db);
    const u = await createUser(t.deps.db, { customer_id: c.id });
    const label = (await t.deps.labels.forHost('localhost'))!;
    const res = await t.deps.passwords.forgot(u.email, '198.51.100.77', label, { ip: null, requestId: 'r' });
    if (!res.ok) throw new Error('throttled');
    await res.afterResponse();
    await t.deps.outbox.drain();
    await sink.waitFor(1);
    const until = Date.now() + 10_000;
    let mail = sink.messages.find((m) => JSON.stringify(m.to).includes(u.email));
    while (!mail && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      mail = sink.messages.find((m) => JSON.stringify(m.to).includes(u.email));
    }
    const token = /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(mail!.text ?? '')![1]!;
    expect(mail!.text).toContain(`http://localhost:3000/reset-password/${token}`);
    // No row of the outbox (any column) holds the token, sent or not.
    const rows = (await t.deps.db.raw(
      `select count(*)::int as n from email_outbox o where position(? in o::text) > 0`,
      [token],
    )) as { rows: { n: number }[] };
    expect(rows.rows[0]!.n).toBe(0);
    expect(await t.deps.db('email_outbox').where({ to_address: u.email, status: 'sent' })).toHaveLength(1);
    expect((await request(t.app).get(`/reset-password/${token}`)).status).toBe(200);
  });

  it('blanks a sensitive body once sent, and each message goes from its own sender', async () => {
    const key = `secret:${Date.now()}`;
    await t.deps.outbox.enqueue({
      to: 'ap@acme.example',
      from: 'Maple Leaf Leasing <accounts@mapleleaf.example>',
      subject: `Secret ${key}`,
      text: 'download: https://x.example/f?sig=SECRET-SIG',
      html: '<p>SECRET-SIG</p>',
      dedupeKey: key,
      sensitive: true,
    });
    await t.deps.outbox.drain();
    const mail = sink.messages.find((m) => m.subject === `Secret ${key}`)!;
    expect(mail.text).toContain('SECRET-SIG');
    expect(mail.from?.value).toEqual([{ name: 'Maple Leaf Leasing', address: 'accounts@mapleleaf.example' }]);
    const row = (await t.deps.db('email_outbox').where({ dedupe_key: key }).first()) as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ status: 'sent', text_body: '', html_body: null, attachments: [] });
    expect(JSON.stringify(row)).not.toContain('SECRET-SIG');
  });

  it(`prunes sent messages after ${PRUNE_SENT_AFTER_DAYS} days (database time), keeping newer and unsent ones`, async () => {
    const key = `prune:${Date.now()}`;
    const db = t.deps.db;
    for (const [suffix, status, age] of [
      ['old', 'sent', PRUNE_SENT_AFTER_DAYS + 1],
      ['new', 'sent', PRUNE_SENT_AFTER_DAYS - 1],
      ['failed', 'failed', PRUNE_SENT_AFTER_DAYS + 5],
    ] as const)
      await db('email_outbox').insert({
        to_address: 'ap@acme.example',
        subject: `Prune ${suffix}`,
        text_body: 'x',
        status,
        sent_at: status === 'sent' ? db.raw(`now() - make_interval(days => ?)`, [age]) : null,
        created_at: db.raw(`now() - make_interval(days => ?)`, [age]),
        dedupe_key: `${key}:${suffix}`,
      });
    const job = jobs.find((j) => j.name === 'prune-sent-email')!;
    expect(await job.run(t.deps, t.clock.now())).toMatch(/\d+ sent e-mails removed/);
    const left = (await db('email_outbox')
      .where('dedupe_key', 'like', `${key}:%`)
      .pluck('dedupe_key')) as string[];
    expect(left.sort()).toEqual([`${key}:failed`, `${key}:new`]);
  });
});
