/** Bad input on the paying and history routes: always a 400 with a message, never a 500 or a wrong payment. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Agent, type TestApp } from '../helpers/app.ts';
import {
  balances,
  choose,
  createPayer,
  form,
  hidden,
  signInAs,
  text,
  type Payer,
} from './payments-fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

/** The review page's confirmation fields for one invoice paid in part today. */
async function confirmation(agent: Agent, p: Payer, invoiceId: number): Promise<[string, string][]> {
  const chosen = await choose(agent, [
    ['invoice', String(invoiceId)],
    [`amount_${invoiceId}`, '100'],
    ['method', String(p.card)],
    ['payDate', '2026-11-16'],
  ]);
  expect(chosen.status).toBe(303);
  return hidden((await agent.get(chosen.headers.location!)).text);
}

const paymentsOf = async (p: Payer) =>
  (await t.deps.db('payments').where({ customer_id: p.customerId }).count('* as n'))[0];

describe('paying on a date', () => {
  it('refuses a confirmation dated in the past (payDate=2020-01-01): 400, error summary linking to the date, nothing paid', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const fields = await confirmation(agent, p, i1!.id);
    const past = fields.map(([k, v]): [string, string] => (k === 'payDate' ? [k, '2020-01-01'] : [k, v]));
    const res = await agent.post('/payments/confirm').type('form').send(form(past));
    expect(res.status).toBe(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#payDate"');
    expect(res.text).toContain('id="payDate"');
    expect(text(res.text)).toContain('The payment date cannot be in the past');
    expect(await paymentsOf(p)).toEqual({ n: 0 });
    expect(await balances(t.deps.db, [i1!.id])).toEqual({ [i1!.id]: { balance: 1_000_00, status: 'open' } });
    // The untouched confirmation still pays, once.
    const ok = await agent.post('/payments/confirm').type('form').send(form(fields));
    expect(ok.status).toBe(303);
    expect(await balances(t.deps.db, [i1!.id])).toEqual({
      [i1!.id]: { balance: 900_00, status: 'partially_paid' },
    });
  });

  it('refuses a date far ahead: no later than the first chosen invoice is due (form and confirmation)', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [, , i3] = p.invoices;
    const form1 = await choose(agent, [
      ['invoice', String(i3!.id)],
      ['method', String(p.card)],
      ['payDate', '2099-01-01'],
    ]);
    expect(form1.status).toBe(400);
    expect(form1.text).toContain('href="#payDate"');
    const fields = await confirmation(agent, p, i3!.id);
    const far = fields.map(([k, v]): [string, string] => (k === 'payDate' ? [k, '2099-01-01'] : [k, v]));
    const res = await agent.post('/payments/confirm').type('form').send(form(far));
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#payDate"');
    expect(text(res.text)).toContain('is due 2026-12-01');
    expect(await paymentsOf(p)).toEqual({ n: 0 });
  });

  it('a date that does not exist (2026-02-30) as the payment date is a 400, on the form and in a confirmation', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [, , i3] = p.invoices;
    const res = await choose(agent, [
      ['invoice', String(i3!.id)],
      ['method', String(p.card)],
      ['payDate', '2026-11-31'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#payDate"');
    const fields = await confirmation(agent, p, i3!.id);
    const bad = fields.map(([k, v]): [string, string] => (k === 'payDate' ? [k, '2026-02-30'] : [k, v]));
    const confirm = await agent.post('/payments/confirm').type('form').send(form(bad));
    expect(confirm.status).toBe(400);
    expect(await paymentsOf(p)).toEqual({ n: 0 });
  });
});

describe('the same invoice twice', () => {
  it('in a confirmation (alloc twice) is a 400 with a message: no payment, no doubled allocation', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const fields = await confirmation(agent, p, i1!.id);
    const alloc = fields.find(([k]) => k === 'alloc')!;
    for (const twice of [
      [...fields, alloc],
      [...fields, ['alloc', `${i1!.id}:5000`] as [string, string]],
    ]) {
      const res = await agent.post('/payments/confirm').type('form').send(form(twice));
      expect(res.status).toBe(400);
      expect(text(res.text)).toContain('This confirmation is not valid');
    }
    expect(await paymentsOf(p)).toEqual({ n: 0 });
    expect(await balances(t.deps.db, [i1!.id])).toEqual({ [i1!.id]: { balance: 1_000_00, status: 'open' } });
  });

  it('on the payment form: the invoice ticked twice counts once; two amounts for it are a 400 linking to the amount', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const twoAmounts = await choose(agent, [
      ['invoice', String(i1!.id)],
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '10'],
      [`amount_${i1!.id}`, '20'],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    expect(twoAmounts.status).toBe(400);
    expect(twoAmounts.text).toContain(`href="#amount_${i1!.id}"`);
    expect(text(twoAmounts.text)).toContain(`Enter one amount for invoice ${i1!.number}`);
    const ticked = await choose(agent, [
      ['invoice', String(i1!.id)],
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '10'],
      ['method', String(p.card)],
      ['payDate', '2026-11-16'],
    ]);
    expect(ticked.status).toBe(303);
    const allocs = hidden((await agent.get(ticked.headers.location!)).text).filter(([k]) => k === 'alloc');
    expect(allocs).toEqual([['alloc', `${i1!.id}:1000`]]);
  });

  it('given to the service twice (autopay and any other caller) is refused before anything is written', async () => {
    const p = await createPayer(t);
    const [i1] = p.invoices;
    const a = { customerId: p.customerId, labelId: p.labelId, userId: p.userId };
    await expect(
      t.deps.payments.create(
        a,
        {
          methodId: p.card,
          payDate: '2026-11-16',
          allocations: [
            { invoiceId: i1!.id, amountMinor: 100 },
            { invoiceId: i1!.id, amountMinor: 100 },
          ],
          currency: 'USD',
          totalMinor: 200,
        },
        crypto.randomUUID(),
        '2026-11-16',
      ),
    ).rejects.toMatchObject({ errors: [{ field: 'invoice' }] });
    expect(await paymentsOf(p)).toEqual({ n: 0 });
  });
});

describe('payment history date filters', () => {
  it('a date that does not exist (2026-02-30) or is not a date is a 400 with the error summary linking to the field', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    for (const [query, field] of [
      ['from=2026-02-30', 'from'],
      ['to=2026-13-01', 'to'],
      ['from=16%2F11%2F2026', 'from'],
      ['from=2026-11-20&to=2026-11-01', 'to'],
    ] as const) {
      const res = await agent.get(`/payments?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.text).toContain('There is a problem');
      expect(res.text).toContain(`href="#${field}"`);
      expect(res.text).toContain(`id="${field}"`);
      expect(res.text).toContain('aria-invalid="true"');
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    }
    expect((await agent.get('/payments?from=&to=')).status).toBe(200);
    expect((await agent.get('/payments?from=2026-02-28&to=2026-11-16')).status).toBe(200);
  });
});
