/**
 * What a lessee reads about a payment (issue 20, item 9): the invoice list says "scheduled for
 * <date>" for a scheduled payment and "in progress" only for one on its way; a receipt exists only
 * for money received (settled), as a link and as a PDF; an ACH payment on its way is acknowledged,
 * and its receipt follows when it settles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm, startApp, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { createPayer, pay, signInAs, text } from './payments-fixtures.ts';

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

/** Waits (up to 10 s) until the sink holds a message the predicate accepts; returns all it accepts. */
async function mailsWhere(pred: (m: SmtpSink['messages'][number]) => boolean) {
  const until = Date.now() + 10_000;
  for (;;) {
    const found = sink.messages.filter(pred);
    if (found.length || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The text of the invoice list's row for one invoice number. */
function rowOf(html: string, number: string): string {
  const rows = html.split('<tr>').filter((r) => r.includes(`>${number}</a>`));
  expect(rows, number).toHaveLength(1);
  return text(rows[0]!);
}

describe('the invoice list says what a payment not yet settled is doing', () => {
  it('a scheduled payment reads "Payment scheduled for <date>", never "in progress"', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [, , i3] = p.invoices;
    await pay(agent, p, [
      ['invoice', String(i3!.id)],
      [`amount_${i3!.id}`, '300'],
      ['method', String(p.card)],
      ['payDate', '2026-11-25'],
    ]);
    const row = rowOf((await agent.get('/invoices?status=all')).text, i3!.number);
    expect(row).toContain('Payment scheduled for Nov 25, 2026: $300.00');
    expect(row).not.toMatch(/in progress/i);
    const home = text((await agent.get('/')).text);
    expect(home).not.toMatch(/In progress \$300\.00/);
  });

  it('an ACH payment on its way reads "Payment in progress"', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '250'],
      ['method', String(p.ach)],
      ['payDate', '2026-11-16'],
    ]);
    const row = rowOf((await agent.get('/invoices?status=all')).text, i1!.number);
    expect(row).toContain('Payment in progress: $250.00');
    expect(row).not.toMatch(/scheduled/i);
  });
});

describe('a receipt exists only for money received', () => {
  it('no receipt link and a 404 PDF for scheduled, cancelled, failed and in-progress payments; both for a settled one', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1, i2, i3] = p.invoices;
    const scheduled = await pay(agent, p, [
      ['invoice', String(i3!.id)],
      [`amount_${i3!.id}`, '100'],
      ['method', String(p.card)],
      ['payDate', '2026-11-25'],
    ]);
    const cancelled = await pay(agent, p, [
      ['invoice', String(i3!.id)],
      [`amount_${i3!.id}`, '100'],
      ['method', String(p.card)],
      ['payDate', '2026-11-25'],
    ]);
    expect(
      (await postForm(agent, `/payments/${cancelled.id}`, `/payments/${cancelled.id}/cancel`, {})).status,
    ).toBe(303);
    const failed = await pay(agent, p, [
      ['invoice', String(i2!.id)],
      ['method', String(p.declined)],
      ['payDate', '2026-11-16'],
    ]);
    const inProgress = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '10'],
      ['method', String(p.ach)],
      ['payDate', '2026-11-16'],
    ]);
    const settled = await pay(agent, p, [
      ['invoice', String(i2!.id)],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    const statuses = Object.fromEntries(
      (
        (await t.deps.db('payments').where({ customer_id: p.customerId }).select('id', 'status')) as {
          id: number;
          status: string;
        }[]
      ).map((r) => [r.id, r.status]),
    );
    expect([scheduled, cancelled, failed, inProgress, settled].map((x) => statuses[x.id])).toEqual([
      'scheduled',
      'cancelled',
      'failed',
      'in_progress',
      'settled',
    ]);

    for (const x of [scheduled, cancelled, failed, inProgress]) {
      const page = await agent.get(`/payments/${x.id}`);
      expect(page.status).toBe(200);
      expect(page.text, statuses[x.id]).not.toContain('receipt.pdf');
      expect(text(page.text), statuses[x.id]).not.toMatch(/receipt/i);
      const pdf = await agent.get(`/payments/${x.id}/receipt.pdf`);
      expect(pdf.status, statuses[x.id]).toBe(404);
      expect(pdf.headers['content-type']).not.toMatch(/pdf/);
    }
    const page = await agent.get(`/payments/${settled.id}`);
    expect(page.text).toContain(`href="/payments/${settled.id}/receipt.pdf"`);
    const pdf = await agent.get(`/payments/${settled.id}/receipt.pdf`).buffer(true);
    expect(pdf.status).toBe(200);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('an ACH payment on its way is acknowledged without a receipt; the receipt comes when it settles', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const { id } = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '20'],
      ['method', String(p.ach)],
      ['payDate', '2026-11-16'],
    ]);
    await t.deps.outbox.drain();
    const mine = (m: SmtpSink['messages'][number]) =>
      (m.to as { text: string }).text === p.email && Boolean(m.subject?.includes('$20.00'));
    const ack = await mailsWhere(mine);
    expect(ack.map((m) => m.subject)).toEqual([
      'Payment submitted: $20.00 is on its way from your bank – Northwind Equipment Finance',
    ]);
    expect(ack[0]!.attachments).toEqual([]);
    expect(ack[0]!.text).not.toMatch(/receipt|received/i);

    await t.deps.payments.settleInProgress(t.clock.now());
    await t.deps.outbox.drain();
    const [receipt] = await mailsWhere((m) => mine(m) && Boolean(m.subject?.startsWith('Receipt for')));
    expect(receipt?.subject).toBe('Receipt for your payment of $20.00 – Northwind Equipment Finance');
    expect(receipt!.attachments.map((a) => a.filename)).toEqual([`receipt-${id}.pdf`]);
    expect((await agent.get(`/payments/${id}/receipt.pdf`)).status).toBe(200);
  });
});
