import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import {
  balances,
  choose,
  createPayer,
  form,
  hidden,
  pay,
  reviewAndConfirm,
  signInAs,
  text,
} from './payments-fixtures.ts';

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

describe('paying invoices', () => {
  it('pays two invoices of two contracts by card, one in part; receipt page, PDF, e-mail; Home falls by the amount', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1, i2] = p.invoices;
    const homeBefore = text((await agent.get('/')).text);
    expect(homeBefore).toMatch(/Overdue \$1,500\.00/);
    expect(homeBefore).toMatch(/Total due \$3,500\.00/);

    const form = await agent.get(`/payments/new?invoice=${i1!.id}&invoice=${i2!.id}`);
    expect(form.status).toBe(200);
    expect(form.text).toMatch(new RegExp(`id="invoice" name="invoice" value="${i1!.id}" checked`));

    const { id } = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      ['invoice', String(i2!.id)],
      [`amount_${i1!.id}`, '400.25'],
      [`amount_${i2!.id}`, ''],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    const receipt = await agent.get(`/payments/${id}`);
    expect(receipt.status).toBe(200);
    const page = text(receipt.text);
    expect(page).toContain('Paid: $900.25 settled');
    expect(page).toContain(`${i1!.number} Nov 1, 2026 $400.25 $599.75`);
    expect(page).toContain(`${i2!.number} Nov 10, 2026 $500.00 $0.00`);
    expect(await balances(t.deps.db, [i1!.id, i2!.id])).toEqual({
      [i1!.id]: { balance: 599_75, status: 'partially_paid' },
      [i2!.id]: { balance: 0, status: 'paid' },
    });
    const home = text((await agent.get('/')).text);
    expect(home).toMatch(/Overdue \$599\.75/);
    expect(home).toMatch(/Total due \$2,599\.75/);
    expect(home).toMatch(/Last payment: \$900\.25/);

    const pdf = await agent.get(`/payments/${id}/receipt.pdf`).buffer(true);
    expect(pdf.status).toBe(200);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    const mails = await sink.waitFor(1);
    const mail = mails.find((m) => m.subject?.includes('$900.25'))!;
    expect(mail.subject).toBe('Receipt for your payment of $900.25 – Northwind Equipment Finance');
    expect((mail.to as { text: string }).text).toBe(p.email);
    expect(mail.text).toContain(`Invoice ${i1!.number}: $400.25`);
    expect(mail.html).toContain('Payment receipt');
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      [`receipt-${id}.pdf`, 'application/pdf'],
    ]);
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');

    const audit = await t.deps
      .db('audit_log')
      .where({ entity_type: 'payment', entity_id: String(id) })
      .select('action');
    expect(audit.map((a: { action: string }) => a.action)).toContain('payment.settled');
    const acts = await t.deps.db('activities').where({ customer_id: p.customerId }).select('subject');
    expect(acts.map((a: { subject: string }) => a.subject)).toContain(
      `Payment of $900.25 settled (${i1!.number}, ${i2!.number})`,
    );
  });

  it('400 with an error summary linking to the field: no invoice, too much, zero, junk, past date, date after due', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1, , i3] = p.invoices;
    const cases: [[string, string][], string, string][] = [
      [
        [
          ['method', String(p.card)],
          ['payDate', '2026-11-16'],
        ],
        'invoice',
        'Choose at least one invoice to pay',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          [`amount_${i1!.id}`, '1000.01'],
          ['method', String(p.card)],
          ['payDate', '2026-11-16'],
        ],
        `amount_${i1!.id}`,
        'must be $1,000.00 or less',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          [`amount_${i1!.id}`, '0.00'],
          ['method', String(p.card)],
          ['payDate', '2026-11-16'],
        ],
        `amount_${i1!.id}`,
        'must be more than zero',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          [`amount_${i1!.id}`, '-5'],
          ['method', String(p.card)],
          ['payDate', '2026-11-16'],
        ],
        `amount_${i1!.id}`,
        'as a number',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          [`amount_${i1!.id}`, '10.001'],
          ['method', String(p.card)],
          ['payDate', '2026-11-16'],
        ],
        `amount_${i1!.id}`,
        'as a number',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          ['payDate', '2026-11-16'],
        ],
        'method',
        'Choose how to pay',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          ['method', String(p.card)],
          ['payDate', '2026-11-15'],
        ],
        'payDate',
        'cannot be in the past',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          ['method', String(p.card)],
          ['payDate', '2026-11-20'],
        ],
        'payDate',
        'overdue invoice can only be paid today',
      ],
      [
        [
          ['invoice', String(i3!.id)],
          ['method', String(p.card)],
          ['payDate', '2026-12-02'],
        ],
        'payDate',
        'on or before 2026-12-01',
      ],
      [
        [
          ['invoice', String(i1!.id)],
          ['method', '<script>alert(1)</script>'],
          ['payDate', 'x'],
        ],
        'method',
        'Choose how to pay',
      ],
    ];
    for (const [fields, field, message] of cases) {
      const res = await choose(agent, fields);
      expect(res.status, message).toBe(400);
      expect(res.text).toContain('There is a problem');
      expect(res.text).toContain(`href="#${field}"`);
      expect(res.text).toContain(`id="${field}"`);
      expect(text(res.text)).toContain(message);
      expect(res.text).not.toContain('<script>alert(1)');
    }
    expect(await balances(t.deps.db, [i1!.id])).toEqual({ [i1!.id]: { balance: 1_000_00, status: 'open' } });
  });

  it('20 concurrent confirmations with one key make one payment and one charge; a reload and a resubmit too', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const chosen = await choose(agent, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '100'],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    const review = await agent.get(chosen.headers.location!);
    const fields = hidden(review.text);
    const key = fields.find(([k]) => k === 'key')![1];
    // A reload of the review page keeps the same key.
    expect(hidden((await agent.get(chosen.headers.location!)).text).find(([k]) => k === 'key')![1]).toBe(key);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => agent.post('/payments/confirm').type('form').send(form(fields))),
    );
    const locations = new Set(results.map((r) => `${r.status} ${r.headers.location}`));
    expect(locations.size).toBe(1);
    expect([...locations][0]).toMatch(/^303 \/payments\/\d+$/);
    const rows = await t.deps.db('payments').where({ idempotency_key: key }).select('id', 'status');
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('settled');
    expect((await t.deps.sandboxGateway.charged(key))?.count).toBe(1);
    // Back to the review page after paying: sent to the payment, not a second confirmation.
    const back = await agent.get(chosen.headers.location!);
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`/payments/${rows[0].id}`);
    // Resubmitting the same form later (browser retry) answers the same payment.
    const again = await agent.post('/payments/confirm').type('form').send(form(fields));
    expect(again.headers.location).toBe(`/payments/${rows[0].id}`);
    expect(await balances(t.deps.db, [i1!.id])).toEqual({
      [i1!.id]: { balance: 900_00, status: 'partially_paid' },
    });
    expect(await t.deps.db('payment_allocations').where({ payment_id: rows[0].id }).count('* as n')).toEqual([
      { n: 1 },
    ]);
  });

  it('adds a new bank account on the gateway’s page mid-flow, then pays with it; a forged return is refused', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [, i2] = p.invoices;
    const chosen = await choose(agent, [
      ['invoice', String(i2!.id)],
      ['method', 'new-ach'],
      ['payDate', '2026-11-16'],
    ]);
    expect(chosen.status).toBe(303);
    const hosted = new URL(chosen.headers.location!, 'http://x');
    expect(hosted.pathname).toBe('/gateway/sandbox/bank-account');
    const forged = await agent.get(`${hosted.searchParams.get('return')!}&gateway_ref=abc.def`);
    expect(forged.status).toBe(400);
    const page = await agent.get(hosted.pathname + hosted.search);
    const back = await agent
      .post(hosted.pathname)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        return: hosted.searchParams.get('return')!,
        state: hosted.searchParams.get('state')!,
        holder: 'Pat Payer',
        routing: '110000000',
        account: '9876543210006789',
      });
    expect(back.status).toBe(303);
    const added = await agent.get(back.headers.location!);
    expect(added.headers.location).toMatch(/^\/payments\/review\?draft=/);
    const { res, review } = await reviewAndConfirm(agent, added.headers.location!);
    expect(text(review.text)).toContain('Pay with Sandbox Test Bank ending 6789');
    const receipt = text((await agent.get(res.headers.location!)).text);
    expect(receipt).toContain('Your bank payment of $500.00 is in progress');
  });

  it('refuses the same key with another amount', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const { id, fields } = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '100'],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    const tampered = fields.map(([k, v]): [string, string] =>
      k === 'alloc' ? [k, `${i1!.id}:20000`] : [k, v],
    );
    const res = await agent.post('/payments/confirm').type('form').send(form(tampered));
    expect(res.status).toBe(409);
    expect(text(res.text)).toContain('already used for a different payment');
    expect(await t.deps.db('payments').where({ customer_id: p.customerId }).count('* as n')).toEqual([
      { n: 1 },
    ]);
    expect(await balances(t.deps.db, [i1!.id])).toEqual({
      [i1!.id]: { balance: 900_00, status: 'partially_paid' },
    });
    expect(id).toBeGreaterThan(0);
  });

  it('a declined card leaves balances untouched and says so', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1, i2] = p.invoices;
    const { id } = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      ['invoice', String(i2!.id)],
      ['method', String(p.declined)],
      ['payDate', '2026-11-16'],
    ]);
    const page = text((await agent.get(`/payments/${id}`)).text);
    expect(page).toContain('This payment failed: Card declined by the issuer');
    expect(await balances(t.deps.db, [i1!.id, i2!.id])).toEqual({
      [i1!.id]: { balance: 1_000_00, status: 'open' },
      [i2!.id]: { balance: 500_00, status: 'open' },
    });
    // Failed payments hold nothing: the invoices can be paid again at once.
    const retry = await choose(agent, [
      ['invoice', String(i1!.id)],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    expect(retry.status).toBe(303);
  });

  it('ACH goes in progress (Home shows it), holds the balance, and the worker settles it', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const { id } = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '250'],
      ['method', String(p.ach)],
      ['payDate', '2026-11-16'],
    ]);
    expect(text((await agent.get(`/payments/${id}`)).text)).toContain('is in progress');
    expect(text((await agent.get('/')).text)).toMatch(/In progress \$250\.00 payment/);
    expect(await balances(t.deps.db, [i1!.id])).toEqual({ [i1!.id]: { balance: 1_000_00, status: 'open' } });
    // What is on its way is not offered again: only 750.00 is left to pay.
    const over = await choose(agent, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '750.01'],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    expect(over.status).toBe(400);
    const r = await t.deps.payments.settleInProgress(t.clock.now());
    expect(r.settled).toBeGreaterThanOrEqual(1);
    expect(await balances(t.deps.db, [i1!.id])).toEqual({
      [i1!.id]: { balance: 750_00, status: 'partially_paid' },
    });
    expect(text((await agent.get(`/payments/${id}`)).text)).toContain('Paid: $250.00 settled');
  });

  it('an ACH return fails the payment, the invoice stays open, and an activity and e-mail say so', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [, i2] = p.invoices;
    const { id } = await pay(agent, p, [
      ['invoice', String(i2!.id)],
      ['method', String(p.achReturned)],
      ['payDate', '2026-11-16'],
    ]);
    await t.deps.payments.settleInProgress(t.clock.now());
    const row = await t.deps.db('payments').where({ id }).first('status', 'failure_reason');
    expect(row).toEqual({ status: 'failed', failure_reason: 'Returned by the bank: R01 insufficient funds' });
    expect(await balances(t.deps.db, [i2!.id])).toEqual({ [i2!.id]: { balance: 500_00, status: 'open' } });
    const acts = await t.deps
      .db('activities')
      .where({ customer_id: p.customerId, kind: 'payment.failed' })
      .select('subject');
    expect(acts[0].subject).toContain(`Invoice ${i2!.number} open again`);
    await t.deps.outbox.drain();
    const mail = sink.messages.find(
      (m) =>
        m.subject?.startsWith('Your payment of $500.00 did not go through') &&
        (m.to as { text: string }).text === p.email,
    );
    expect(mail).toBeDefined();
  });

  it('schedules a payment for a later date, lets it be cancelled, and the worker submits one on its date', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [, , i3] = p.invoices;
    const first = await pay(agent, p, [
      ['invoice', String(i3!.id)],
      [`amount_${i3!.id}`, '300'],
      ['method', String(p.card)],
      ['payDate', '2026-11-25'],
    ]);
    expect(text((await agent.get(`/payments/${first.id}`)).text)).toContain('will be paid on Nov 25, 2026');
    const cancelled = await postForm(agent, `/payments/${first.id}`, `/payments/${first.id}/cancel`);
    expect(cancelled.status).toBe(303);
    expect((await t.deps.db('payments').where({ id: first.id }).first('status')).status).toBe('cancelled');

    const second = await pay(agent, p, [
      ['invoice', String(i3!.id)],
      [`amount_${i3!.id}`, '300'],
      ['method', String(p.card)],
      ['payDate', '2026-11-25'],
    ]);
    // Not yet: today is 2026-11-16.
    await t.deps.payments.runDue(t.clock.now());
    expect((await t.deps.db('payments').where({ id: second.id }).first('status')).status).toBe('scheduled');
    const later = await startApp({ SYSTEM_DATE: '2026-11-25' });
    try {
      await later.deps.payments.runDue(later.clock.now());
      await new Promise((r) => setTimeout(r, 500)); // let its background outbox drain finish
    } finally {
      await later.close();
    }
    expect((await t.deps.db('payments').where({ id: second.id }).first('status')).status).toBe('settled');
    expect(await balances(t.deps.db, [i3!.id])).toEqual({
      [i3!.id]: { balance: 1_700_00, status: 'partially_paid' },
    });
    // A submitted payment can no longer be cancelled.
    expect((await postForm(agent, `/payments/${second.id}`, `/payments/${second.id}/cancel`)).status).toBe(
      409,
    );
  });
});

async function postForm(agent: Agent, from: string, to: string) {
  const page = await agent.get(from);
  return agent
    .post(to)
    .type('form')
    .send({ _csrf: csrfFrom(page.text) });
}

describe('payment history and access', () => {
  it('a superuser’s draft for one customer is not carried to the next', async () => {
    const a = await createPayer(t);
    const b = await createPayer(t);
    const { agent } = await signIn(t.app, 'super@northwind.example');
    const switchTo = async (customerId: number) => {
      const page = await agent.get('/customers/switch');
      return agent
        .post('/customers/switch')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), customerId: String(customerId) });
    };
    await switchTo(a.customerId);
    const chosen = await choose(agent, [
      ['invoice', String(a.invoices[0]!.id)],
      ['method', String(a.card)],
      ['payDate', '2026-11-16'],
    ]);
    expect(chosen.status).toBe(303);
    await switchTo(b.customerId);
    const review = await agent.get(chosen.headers.location!);
    expect(review.status).toBe(303);
    expect(review.headers.location).toBe('/payments/new');
  });

  it('lists, filters, sorts and shows allocations and status history', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1, i2] = p.invoices;
    const a = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '10'],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    await pay(agent, p, [
      ['invoice', String(i2!.id)],
      [`amount_${i2!.id}`, '20'],
      ['method', String(p.declined)],
      ['payDate', '2026-11-16'],
    ]);
    await pay(agent, p, [
      ['invoice', String(i2!.id)],
      [`amount_${i2!.id}`, '30'],
      ['method', String(p.ach)],
      ['payDate', '2026-11-16'],
    ]);
    const all = text((await agent.get('/payments')).text);
    expect(all).toContain('3 payments found.');
    expect(text((await agent.get('/payments?status=failed')).text)).toContain('1 payment found.');
    expect(text((await agent.get(`/payments?method=${p.ach}`)).text)).toContain('1 payment found.');
    expect(text((await agent.get('/payments?from=2026-12-01')).text)).toContain('0 payments found.');
    const byAmount = (await agent.get('/payments?sort=-amount')).text;
    expect(byAmount.indexOf('$30.00')).toBeLessThan(byAmount.indexOf('$10.00'));
    const detail = text((await agent.get(`/payments/${a.id}`)).text);
    expect(detail).toMatch(/Status history .*Pending .*Settled/);
  });

  it('403 for the paying routes without payments.make (viewer)', async () => {
    const { agent } = await signIn(t.app, 'viewer@acme.example');
    expect((await agent.get('/payments/new')).status).toBe(403);
    expect((await agent.get('/payments/review?draft=x')).status).toBe(403);
    const page = await agent.get('/payments');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('href="/payments/new"');
    const res = await agent
      .post('/payments/confirm')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), key: 'x' });
    expect(res.status).toBe(403);
  });

  it('404 for another customer’s payment, receipt PDF, cancel, invoice ids in a confirmation', async () => {
    const mine = await createPayer(t);
    const other = await createPayer(t);
    const otherAgent = await signInAs(t, other);
    const theirs = await pay(otherAgent, other, [
      ['invoice', String(other.invoices[2]!.id)],
      ['method', String(other.card)],
      ['payDate', '2026-11-20'],
    ]);
    const agent = await signInAs(t, mine);
    for (const path of [`/payments/${theirs.id}`, `/payments/${theirs.id}/receipt.pdf`]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(404);
    }
    const page = await agent.get('/payments');
    expect(
      (
        await agent
          .post(`/payments/${theirs.id}/cancel`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text) })
      ).status,
    ).toBe(404);
    const forged: [string, string][] = [
      ['_csrf', csrfFrom(page.text)],
      ['key', crypto.randomUUID()],
      ['draft', crypto.randomUUID()],
      ['method', String(mine.card)],
      ['payDate', '2026-11-16'],
      ['alloc', `${other.invoices[0]!.id}:100`],
    ];
    expect((await agent.post('/payments/confirm').type('form').send(form(forged))).status).toBe(404);
    // Their method with my invoice: refused, nothing charged.
    const withTheirMethod = forged.map(([k, v]): [string, string] =>
      k === 'alloc' ? [k, `${mine.invoices[0]!.id}:100`] : k === 'method' ? [k, String(other.card)] : [k, v],
    );
    expect((await agent.post('/payments/confirm').type('form').send(form(withTheirMethod))).status).toBe(400);
    expect(await t.deps.db('payments').where({ customer_id: mine.customerId }).count('* as n')).toEqual([
      { n: 0 },
    ]);
    expect((await t.deps.db('payments').where({ id: theirs.id }).first('status')).status).toBe('scheduled');
  });
});

describe('a payer without invoices.view', () => {
  it('can pay and see the payment, but not the invoices list', async () => {
    const p = await createPayer(t, ['payments.make']);
    const agent = await signInAs(t, p);
    expect((await agent.get('/invoices')).status).toBe(403);
    const { id } = await pay(agent, p, [
      ['invoice', String(p.invoices[1]!.id)],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    expect(text((await agent.get(`/payments/${id}`)).text)).toContain('Paid: $500.00 settled');
    expect((await agent.get('/payments')).status).toBe(200);
  });
});
