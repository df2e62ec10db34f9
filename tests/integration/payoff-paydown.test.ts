/**
 * A loan's partial principal paydown, the whole journey through the real app on the demo data
 * (Acme's quarterly loan, contract 4): the form on the payoff-quote request page, review, the
 * saved quote page and PDF with the new instalment or the new term, audit and activity; 400s with
 * an error summary linking to the field; 403 without payoff.request; 404 for a lease and for
 * another customer's loan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodicRate } from '../../src/modules/payoff-quotes/payoff.calc.ts';
import { newInstalment, shortenedTerm } from '../../src/modules/payoff-quotes/payoff.paydown.ts';
import { createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { postForm, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let acmeId: number;

const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
const cents = (s: string): number => Math.round(Number(s.replace(/[$,]/g, '')) * 100);
const NEW = '/contracts/4/payoff-quotes/new';
const review = (body: Record<string, string>, a: Agent = agent) =>
  postForm(a, NEW, '/contracts/4/payoff-quotes/paydown/review', body);

/** The principal outstanding today, as the request page shows it. */
async function principalToday(): Promise<number> {
  const page = text((await agent.get(NEW).expect(200)).text);
  const m = /Principal outstanding today: (\$[\d,]+\.\d\d)/.exec(page);
  expect(m, page).not.toBeNull();
  return cents(m![1]!);
}

beforeAll(async () => {
  t = await startApp();
  ({ agent } = await signIn(t.app, 'ap@acme.example'));
  acmeId = ((await t.deps.db('contracts').where({ id: 4 }).first('customer_id')) as { customer_id: number })
    .customer_id;
});
afterAll(async () => {
  await t.close();
});

describe('principal paydown quote', () => {
  it('same term: review, save, page and PDF show the paydown and the new instalment; audit and activity written', async () => {
    const page = (await agent.get(NEW).expect(200)).text;
    expect(page).toContain('Pay down part of the principal');
    expect(page).toContain('action="/contracts/4/payoff-quotes/paydown/review"');
    const principal = await principalToday();
    // Contract 4: 6.9 % a year, quarterly; the Dec 6 instalment is billed, so on Dec 10 the
    // principal outstanding is the balance after it (170,435.42) and 12 instalments are left.
    const after = (await t.deps
      .db('schedule_lines')
      .where({ contract_id: 4 })
      .where('due_date', '>', '2026-11-16')
      .orderBy('seq')
      .select('balance_after_minor', 'rent_minor')) as { balance_after_minor: number; rent_minor: number }[];
    expect(principal).toBe(after[0]!.balance_after_minor);
    const left = after.length - 1;
    const expected = newInstalment(170_435_42 - 50_000_10, periodicRate('0.069', 'quarterly'), left);

    const res = await review({ paydownDate: '2026-12-10', amount: '50,000.10', keep: 'term' });
    expect(res.status).toBe(200);
    const r = text(res.text);
    expect(r).toContain('Review principal paydown quote');
    expect(r).toContain('Principal paid down $50,000.10');
    expect(r).toContain('Principal left $120,435.32');
    expect(r).toContain(
      `New instalment ${new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(expected / 100)}`,
    );
    expect(r).toContain(`${left} instalments left, as before`);

    const saved = await postForm(agent, NEW, '/contracts/4/payoff-quotes/paydown', {
      paydownDate: '2026-12-10',
      amount: '50,000.10',
      keep: 'term',
    });
    expect(saved.status).toBe(303);
    const id = Number(/\/payoff-quotes\/(\d+)$/.exec(saved.headers.location as string)?.[1]);
    const show = text((await agent.get(`/payoff-quotes/${id}`).expect(200)).text);
    expect(show).toMatch(/Principal paydown quote PQ-\d{4}-\d{6}/);
    expect(show).toContain('Principal paid down $50,000.10');
    expect(show).toContain('New instalment');
    const row = (await t.deps.db('payoff_quotes').where({ id }).first('breakdown', 'total_minor')) as {
      breakdown: { paydown: { instalmentAfter: number; paydown: number }; totalMinor: number };
      total_minor: number;
    };
    expect(row.breakdown.paydown).toMatchObject({ paydown: 50_000_10, instalmentAfter: expected });
    expect(Number(row.total_minor)).toBe(row.breakdown.totalMinor);
    const pdf = await agent.get(`/payoff-quotes/${id}.pdf`).expect(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const audit = await t.deps
      .db('audit_log')
      .where({ entity_type: 'payoff_quote', entity_id: String(id), action: 'payoff_quote.issued' })
      .first();
    expect(audit).toBeDefined();
    const activity = await t.deps
      .db('activities')
      .where({ link: `/payoff-quotes/${id}` })
      .first('subject');
    expect((activity as { subject: string }).subject).toMatch(/^Principal paydown quote PQ-/);
  });

  it('same instalment: the review shows the shortened term', async () => {
    const res = await review({ paydownDate: '2026-12-10', amount: '100000', keep: 'instalment' });
    expect(res.status).toBe(200);
    const n = shortenedTerm(170_435_42 - 100_000_00, periodicRate('0.069', 'quarterly'), 20_607_85);
    expect(text(res.text)).toContain(`New term ${n} instalments left`);
  });

  it.each([
    [{ paydownDate: '2026-12-10', amount: '', keep: 'term' }, 'amount', 'Enter the principal to pay down'],
    [
      { paydownDate: '2026-12-10', amount: 'abc', keep: 'term' },
      'amount',
      'Enter the principal as an amount',
    ],
    [{ paydownDate: '2026-12-10', amount: '-5', keep: 'term' }, 'amount', 'Enter the principal as an amount'],
    [
      { paydownDate: '2026-12-10', amount: '1e5', keep: 'term' },
      'amount',
      'Enter the principal as an amount',
    ],
    [{ paydownDate: '2026-12-10', amount: '0.00', keep: 'term' }, 'amount', 'must be more than 0'],
    [
      { paydownDate: '2026-12-10', amount: '10.001', keep: 'term' },
      'amount',
      'Enter the principal as an amount',
    ],
    [
      { paydownDate: '2026-12-10', amount: '170,435.42', keep: 'term' },
      'amount',
      'less than the principal outstanding',
    ],
    [
      { paydownDate: '2026-12-10', amount: '9,999,999,999', keep: 'term' },
      'amount',
      'less than the principal outstanding',
    ],
    [
      { paydownDate: '2026-12-10', amount: '5000' },
      'keep',
      'Choose whether to keep the term or the instalment',
    ],
    [{ paydownDate: '2026-12-10', amount: '5000', keep: 'both' }, 'keep', 'Choose whether to keep the term'],
    [{ paydownDate: '2026-11-01', amount: '5000', keep: 'term' }, 'paydownDate', 'must be today or later'],
    [{ paydownDate: '2026-02-30', amount: '5000', keep: 'term' }, 'paydownDate', 'Enter a real payment date'],
    [{ paydownDate: '2027-06-01', amount: '5000', keep: 'term' }, 'paydownDate', 'must be on or before'],
  ])('400 with the error summary linking to the field: %j', async (body, field, message) => {
    const res = await review(body);
    expect(res.status).toBe(400);
    expect(res.text).toContain(`href="#${field}"`);
    expect(res.text).toContain(`id="${field}"`);
    expect(text(res.text)).toContain(message);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('keeps what was typed on a 400', async () => {
    const res = await review({ paydownDate: '2026-12-10', amount: '999,999,999', keep: 'instalment' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="999,999,999"');
    expect(res.text).toMatch(/value="instalment" checked/);
  });

  it('403 without payoff.request', async () => {
    const u = await createUser(t.deps.db, { customer_id: acmeId, permissions: ['contracts.view'] });
    const { agent: viewer } = await signIn(t.app, u.email, FACTORY_PASSWORD);
    const page = await viewer.get('/contracts/4');
    const res = await postForm(viewer, '/contracts/4', '/contracts/4/payoff-quotes/paydown/review', {
      paydownDate: '2026-12-10',
      amount: '5000',
      keep: 'term',
    });
    expect(page.status).toBe(200);
    expect(res.status).toBe(403);
  });

  it('404 for a lease and for another customer’s loan; no paydown form on a lease', async () => {
    const lease = (await t.deps
      .db('contracts')
      .where({ customer_id: acmeId, status: 'active' })
      .whereNot({ product: 'loan' })
      .first('id')) as { id: number };
    const leasePage = await agent.get(`/contracts/${lease.id}/payoff-quotes/new`).expect(200);
    expect(leasePage.text).not.toContain('Pay down part of the principal');
    const body = { paydownDate: '2026-12-10', amount: '5000', keep: 'term' };
    expect(
      (await postForm(agent, NEW, `/contracts/${lease.id}/payoff-quotes/paydown/review`, body)).status,
    ).toBe(404);
    const other = (await t.deps
      .db('contracts')
      .whereNot({ customer_id: acmeId })
      .where({ product: 'loan' })
      .first('id')) as { id: number };
    expect(
      (await postForm(agent, NEW, `/contracts/${other.id}/payoff-quotes/paydown/review`, body)).status,
    ).toBe(404);
    expect((await postForm(agent, NEW, `/contracts/${other.id}/payoff-quotes/paydown`, body)).status).toBe(
      404,
    );
  });
});
