import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContract, createCustomer, createInvoice, createUser, labelId } from '../factories/index.ts';
import { csrfFrom, type Agent, type TestApp, startApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { addDays } from '../../src/lib/clock.ts';
import { REMINDER_DAYS } from '../../src/modules/notifications/notifications.service.ts';
import { createPayer, pay, signInAs } from './payments-fixtures.ts';

let t: TestApp;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startApp({ SMTP_URL: sink.url, ACH_SETTLEMENT_DELAY_MINUTES: '0' });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function saveSettings(agent: Agent, notify: string[]) {
  const page = await agent.get('/account');
  const body = new URLSearchParams([['_csrf', csrfFrom(page.text)], ...notify.map((n) => ['notify', n])]);
  return agent.post('/account/notifications').type('form').send(body.toString());
}

const outboxKeys = async (prefix: string): Promise<string[]> =>
  (
    (await t.deps.db('email_outbox').where('dedupe_key', 'like', `${prefix}%`).select('dedupe_key')) as {
      dedupe_key: string;
    }[]
  ).map((r) => r.dedupe_key);

describe('notification settings on /account', () => {
  it('shows the two settings with their defaults, saves them (audited), and refuses a post without CSRF', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const page = await agent.get('/account');
    expect(page.text).toContain('E-mail notifications');
    expect(page.text).toMatch(/id="notify" name="notify" value="payment-receipts" checked/);
    expect(page.text).toMatch(/name="notify" value="due-reminders"(?! checked)/);

    const saved = await saveSettings(agent, ['due-reminders']);
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/account#notifications');
    const row = (await t.deps
      .db('users')
      .where({ id: p.userId })
      .first('notify_payment_receipts', 'notify_due_reminders')) as Record<string, boolean>;
    expect(row).toEqual({ notify_payment_receipts: false, notify_due_reminders: true });
    const after = await agent.get('/account');
    expect(after.text).toContain('Your notification settings have been saved.');
    expect(after.text).toMatch(/name="notify" value="due-reminders" checked/);
    const audit = await t.deps
      .db('audit_log')
      .where({ action: 'account.notifications', actor_user_id: p.userId });
    expect(audit).toHaveLength(1);

    const forged = await agent.post('/account/notifications').type('form').send('notify=payment-receipts');
    expect(forged.status).toBe(403);
  });

  it('a payer who turned receipts off gets no receipt; a payment the bank returns is still told', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    await saveSettings(agent, []);
    const [i1, i2] = p.invoices;
    const ok = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, ''],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    const declined = await pay(agent, p, [
      ['invoice', String(i2!.id)],
      [`amount_${i2!.id}`, ''],
      ['method', String(p.achReturned)],
      ['payDate', '2026-11-16'],
    ]);
    await t.deps.payments.settleInProgress(new Date());
    expect(await outboxKeys(`receipt:payment:${ok.id}`)).toEqual([]);
    expect(await outboxKeys(`failed:payment:${declined.id}`)).toEqual([`failed:payment:${declined.id}`]);
    const notice = (await t.deps
      .db('email_outbox')
      .where({ dedupe_key: `failed:payment:${declined.id}` })
      .first('text_body', 'from_address')) as { text_body: string; from_address: string };
    expect(notice.text_body).toContain(`http://localhost:3000/payments/${declined.id}`);
    expect(notice.from_address).toBe('Northwind Equipment Finance <billing@northwind.example>');
  });
});

describe('invoice reminders', () => {
  it(`e-mails an opted-in user who can see invoices once, ${REMINDER_DAYS} days before the due date`, async () => {
    const db = t.deps.db;
    const lid = await labelId(db, 'northwind');
    const c = await createCustomer(db);
    const k = await createContract(db, { customer_id: c.id, private_label_id: lid });
    const due = addDays(t.clock.today('America/New_York'), REMINDER_DAYS);
    const inv = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: lid,
      contract_id: k.id,
      due_date: due,
      total_minor: 1_234_56,
    });
    // Later, paid or for other customers: not in the reminder.
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: lid,
      contract_id: k.id,
      due_date: addDays(due, 1),
      total_minor: 99_00,
    });
    const reader = await createUser(db, { customer_id: c.id, permissions: ['invoices.view'] });
    const blind = await createUser(db, { customer_id: c.id, permissions: ['contracts.view'] });
    const quiet = await createUser(db, { customer_id: c.id, permissions: ['invoices.view'] });
    await db('users').whereIn('id', [reader.id, blind.id]).update({ notify_due_reminders: true });

    await t.deps.notifications.sendDueReminders();
    await t.deps.notifications.sendDueReminders(); // a second run (or worker) adds nothing
    const keys = (await outboxKeys('due-reminder:')).filter((k) =>
      [reader.id, blind.id, quiet.id].some((id) => k.startsWith(`due-reminder:${id}:`)),
    );
    expect(keys).toEqual([`due-reminder:${reader.id}:northwind:${t.clock.today('America/New_York')}`]);

    await t.deps.outbox.drain();
    const mails = await sink.waitFor(1);
    const mail = mails.find((m) => (m.to as { text: string }).text === reader.email)!;
    expect(mail.subject).toBe('1 invoice falls due on Nov 21, 2026 – Northwind Equipment Finance');
    expect(mail.text).toContain(`${inv.number}: $1,234.56`);
    expect(mail.html).toContain('notification settings</a>');
    // Absolute links from the label's configured address, sent as the label.
    expect(mail.text).toContain('http://localhost:3000/invoices?status=open');
    expect(mail.html).toContain('href="http://localhost:3000/account#notifications"');
    expect(mail.from?.value[0]?.address).toBe('billing@northwind.example');
  });
});
