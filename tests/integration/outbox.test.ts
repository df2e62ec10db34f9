import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../src/modules/outbox/outbox.service.ts';
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
    await t.deps.outbox.enqueue({ to: 'ap@acme.example', subject: `Down ${key}`, text: 'x', dedupeKey: key });
    expect(await t.deps.outbox.drain()).toBe(0);
    const row = (await t.deps.db('email_outbox').where({ dedupe_key: key }).first()) as {
      status: string;
      attempts: number;
      last_error: string;
      next_attempt_at: Date;
    };
    expect(row.status).toBe('queued');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/451|Try again/);
    expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 20_000);
    sink.refusing = false;
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
});
