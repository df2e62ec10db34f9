/**
 * Contracts, schedules and payoff quotes through the real app: filters, the contract page,
 * schedule totals (page, CSV, PDF), quotes (review, save, PDF, e-mail), permissions and scoping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths } from '../../src/lib/clock.ts';
import {
  createContract,
  createCustomer,
  createInvoice,
  createScheduleLine,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { createAsset } from '../factories/assets.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let user: { id: number; email: string };
let contract: { id: number; number: string };
let paidOff: { id: number; number: string };
let foreign: { id: number; number: string };
let foreignQuoteId: number;
let assets: { id: number }[];

const text = pageText;

/** 36 monthly lines from 2025-01-01 of 1,000 + 60 tax; 1–22 billed and paid, 23 billed and unpaid. */
async function withSchedule(db: TestApp['deps']['db'], c: { id: number }, customerId: number, nw: number) {
  for (let k = 1; k <= 36; k++) {
    const due = addMonths('2025-01-01', k - 1);
    await createScheduleLine(db, {
      contract_id: c.id,
      seq: k,
      due_date: due,
      balance_after_minor: (36 - k) * 800_00,
    });
    if (k <= 23) {
      const inv = await createInvoice(db, {
        customer_id: customerId,
        private_label_id: nw,
        contract_id: c.id,
        due_date: due,
        total_minor: 1_060_00,
        balance_minor: k <= 22 ? 0 : 1_060_00,
      });
      await db('schedule_lines').where({ contract_id: c.id, seq: k }).update({ invoice_id: inv.id });
    }
  }
}

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  const nw = await labelId(db, 'northwind');
  const mine = await createCustomer(db, { name: 'Contracts Test Co' });
  user = await createUser(db, {
    customer_id: mine.id,
    permissions: ['contracts.view', 'payoff.request', 'invoices.view', 'assets.view'],
  });
  contract = await createContract(db, { customer_id: mine.id, private_label_id: nw });
  await withSchedule(db, contract, mine.id, nw);
  assets = [
    await createAsset(db, {
      customer_id: mine.id,
      private_label_id: nw,
      contract_id: contract.id,
      cost_minor: 18_000_00,
    }),
    await createAsset(db, {
      customer_id: mine.id,
      private_label_id: nw,
      contract_id: contract.id,
      cost_minor: 12_000_00,
    }),
  ];
  paidOff = await createContract(db, {
    customer_id: mine.id,
    private_label_id: nw,
    status: 'paid_off',
    product: 'loan',
  });

  const other = await createCustomer(db, { name: 'Someone Else Ltd' });
  foreign = await createContract(db, { customer_id: other.id, private_label_id: nw });
  const [q] = (await db('payoff_quotes')
    .insert({
      number: `PQ-FOREIGN-${foreign.id}`,
      customer_id: other.id,
      private_label_id: nw,
      contract_id: foreign.id,
      quote_date: '2026-11-16',
      payoff_date: '2026-11-20',
      valid_until: '2026-11-30',
      total_minor: 100,
      currency: 'USD',
      status: 'issued',
      breakdown: JSON.stringify({ currency: 'USD', lines: [], totalMinor: 100 }),
    })
    .returning('id')) as { id: number }[];
  foreignQuoteId = q!.id;
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});

afterAll(async () => {
  await t.close();
});

describe('contract list', () => {
  it('lists, filters by status and overdue, searches, and flags overdue with icon and text', async () => {
    const all = await agent.get('/contracts');
    expect(all.status).toBe(200);
    expect(all.text).toContain(contract.number);
    expect(all.text).toContain(paidOff.number);
    expect(all.text).not.toContain(foreign.number);
    const overdue = await agent.get('/contracts?overdue=1');
    expect(overdue.text).toContain(contract.number);
    expect(overdue.text).not.toContain(paidOff.number);
    expect(overdue.text).toMatch(/overdue-flag__icon[\s\S]*?Overdue/);
    const paid = await agent.get('/contracts?status=paid_off');
    expect(paid.text).toContain(paidOff.number);
    expect(paid.text).not.toContain(`>${contract.number}<`);
    const search = await agent.get(`/contracts?q=${contract.number}`);
    expect(text(search.text)).toContain('1 contract match.');
    const bad = await agent.get('/contracts?status=nonsense&sort=x&page=-3');
    expect(bad.status).toBe(200);
  });

  it('offers a payoff link per eligible contract when asked from Quick Actions', async () => {
    const res = await agent.get('/contracts?intent=payoff');
    expect(res.text).toContain('Request a payoff quote');
    expect(res.text).toContain(`href="/contracts/${contract.id}/payoff-quotes/new"`);
    expect(res.text).not.toContain(`href="/contracts/${paidOff.id}/payoff-quotes/new"`);
  });
});

describe('contract page and schedule', () => {
  it('shows terms, next payment, remaining balance, assets and open invoices with links', async () => {
    const res = await agent.get(`/contracts/${contract.id}`);
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain('Fair market value lease');
    expect(page).toContain('36 months (36 monthly payments in advance)');
    // Next unpaid line on or after 2026-11-16 is rent 24 due 2026-12-01: 1,060.
    expect(page).toMatch(/Next payment .*Dec.*2026.*\$1,060\.00/);
    // Remaining: rent 23 unpaid (1,060) + 13 unbilled lines × 1,060 = 14,840.
    expect(page).toContain('$14,840.00');
    expect(res.text).toContain(`href="/assets/${assets[0]!.id}"`);
    expect(res.text).toMatch(/href="\/invoices\/\d+"/);
    for (const id of ['terms', 'assets', 'invoices', 'documents', 'payoff-quotes', 'service-requests'])
      expect(res.text).toContain(`href="#${id}"`);
  });

  it('schedule totals equal the contract: 36 × 1,000 rent, 36 × 60 tax', async () => {
    const res = await agent.get(`/contracts/${contract.id}/schedule`);
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain('Totals $36,000.00 $2,160.00 $38,160.00');
    expect((res.text.match(/<tr>\s*<th scope="row">\d+<\/th>/g) ?? []).length).toBe(36);
    expect(page).toMatch(/Paid/);
    expect(res.text).toContain('overdue-flag');
  });

  it('downloads the schedule as CSV with the same totals', async () => {
    const res = await agent.get(`/contracts/${contract.id}/schedule.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="schedule-/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('Period,Due date,Rent (USD),Tax (USD),Total (USD),Status,Invoice');
    expect(lines).toHaveLength(38);
    expect(lines[1]).toMatch(/^1,2025-01-01,1000\.00,60\.00,1060\.00,paid,TI-/);
    expect(lines[37]).toBe('Totals,,36000.00,2160.00,38160.00,,');
  });

  it('downloads the schedule as a PDF', async () => {
    const res = await agent.get(`/contracts/${contract.id}/schedule.pdf`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect((res.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('payoff quotes', () => {
  const review = async (body: Record<string, string | string[]>) => {
    const form = await agent.get(`/contracts/${contract.id}/payoff-quotes/new`);
    return agent
      .post(`/contracts/${contract.id}/payoff-quotes/review`)
      .type('form')
      .send({ ...body, _csrf: csrfFrom(form.text) });
  };

  it('offers the date range and the assets, all selected', async () => {
    const res = await agent.get(`/contracts/${contract.id}/payoff-quotes/new`);
    expect(res.status).toBe(200);
    // Today 2026-11-16 + 30 days (label limit) = 2026-12-16, before the contract end.
    expect(text(res.text)).toMatch(/from Nov.* 16, 2026 to Dec.* 16, 2026/);
    expect((res.text.match(/name="asset" value="\d+" checked/g) ?? []).length).toBe(2);
  });

  it('answers 400 with the error summary for a missing or out-of-range date', async () => {
    const none = await review({ payoffDate: '' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('There is a problem');
    expect(none.text).toContain('href="#payoffDate"');
    const late = await review({ payoffDate: '2027-01-20', asset: assets.map((a) => String(a.id)) });
    expect(late.status).toBe(400);
    expect(text(late.text)).toContain('Payoff date must be on or before');
    const past = await review({ payoffDate: '2026-11-01', asset: assets.map((a) => String(a.id)) });
    expect(past.status).toBe(400);
    const noAssets = await review({ payoffDate: '2026-12-01' });
    expect(noAssets.status).toBe(400);
    expect(noAssets.text).toContain('href="#asset"');
  });

  it('reviews, saves, shows, e-mails and prints a whole-contract quote for next month', async () => {
    const ids = assets.map((a) => String(a.id));
    const r = await review({ payoffDate: '2026-12-01', asset: ids });
    expect(r.status).toBe(200);
    const page = text(r.text);
    // A = rent 23 unpaid 1,060. Rent 24 due 2026-12-01 is a separate line of 1,060.
    expect(page).toContain('Past-due and billed but unpaid rents, late fees and charges $1,060.00');
    expect(page).toContain('Rent 24 due 2026-12-01, with tax $1,060.00');
    expect(page).toContain('12 remaining rents discounted at 8% a year');
    expect(page).toContain('Payoff and lien-release fee $250.00');

    const form = await agent.get(`/contracts/${contract.id}/payoff-quotes/new`);
    const saved = await agent
      .post(`/contracts/${contract.id}/payoff-quotes`)
      .type('form')
      .send({ payoffDate: '2026-12-01', asset: ids, _csrf: csrfFrom(form.text) });
    expect(saved.status).toBe(303);
    const id = Number(/\/payoff-quotes\/(\d+)$/.exec(saved.headers.location!)![1]);
    const row = (await t.deps.db('payoff_quotes').where({ id }).first()) as {
      breakdown: { lines: { code: string; amountMinor: number }[]; totalMinor: number };
      total_minor: number;
      valid_until: string;
      scope: string;
      status: string;
      inputs: { discountRate: string };
    };
    expect(row.scope).toBe('contract');
    expect(row.status).toBe('issued');
    // Next rent after the payoff date is 2027-01-01 → 2026-12-31; the label caps at 2026-12-16.
    expect(row.valid_until).toBe('2026-12-16');
    expect(row.inputs.discountRate).toBe('0.080000');
    expect(row.breakdown.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(row.breakdown.totalMinor);
    expect(Number(row.total_minor)).toBe(row.breakdown.totalMinor);

    const show = await agent.get(`/payoff-quotes/${id}`);
    expect(show.status).toBe(200);
    expect(text(show.text)).toContain('Payoff quote saved.');
    const pdf = await agent.get(`/payoff-quotes/${id}.pdf`).buffer(true);
    expect(pdf.headers['content-type']).toBe('application/pdf');

    const mail = await agent
      .post(`/payoff-quotes/${id}/email`)
      .type('form')
      .send({ _csrf: csrfFrom(show.text) });
    expect(mail.status).toBe(303);
    const out = (await t.deps
      .db('email_outbox')
      .where({ to_address: user.email })
      .orderBy('id', 'desc')
      .first()) as {
      subject: string;
      attachments: { filename: string }[];
    };
    expect(out.subject).toContain('Payoff quote');
    expect(out.attachments[0]!.filename).toMatch(/^PQ-.*\.pdf$/);

    const list = await agent.get('/payoff-quotes');
    expect(list.text).toContain(`href="/payoff-quotes/${id}"`);
    expect(
      await t.deps
        .db('audit_log')
        .where({ entity_type: 'payoff_quote', entity_id: String(id) })
        .count(),
    ).toEqual([{ count: 2 }]);
    const act = await t.deps
      .db('activities')
      .where({ link: `/payoff-quotes/${id}` })
      .first();
    expect(act).toBeTruthy();
  });

  it('prices a partial payoff by the selected assets’ cost share (40%)', async () => {
    const r = await review({ payoffDate: '2026-12-01', asset: [String(assets[1]!.id)] });
    expect(r.status).toBe(200);
    // Asset 2 costs 12,000 of 30,000 = 40%: rent 24 line = 40% × 1,060 = 424.
    expect(text(r.text)).toContain('Rent 24 due 2026-12-01, with tax $424.00');
    // The asset is in Texas (the factory's place): taxed at 6.25% from the payoff module's
    // rate table, not the contract's 6%.
    expect(text(r.text)).toMatch(/Sales tax 6\.25% \(US-TX\) on the purchase of asset \S+ \$[\d,]+\.\d\d/);
    expect(text(r.text)).not.toContain('Sales tax 6% on the purchase');
  });

  it('refuses a paid-off contract with a clear message', async () => {
    const res = await agent.get(`/contracts/${paidOff.id}/payoff-quotes/new`);
    expect(res.status).toBe(409);
    expect(text(res.text)).toContain(`Contract ${paidOff.number} is paid off`);
    const form = await agent.get(`/contracts/${contract.id}/payoff-quotes/new`);
    const post = await agent
      .post(`/contracts/${paidOff.id}/payoff-quotes`)
      .type('form')
      .send({ payoffDate: '2026-12-01', _csrf: csrfFrom(form.text) });
    expect(post.status).toBe(409);
    expect(await t.deps.db('payoff_quotes').where({ contract_id: paidOff.id }).count()).toEqual([
      { count: 0 },
    ]);
  });
});

describe('scoping and permissions', () => {
  it("answers 404 for another customer's contract and quote everywhere", async () => {
    for (const path of [
      `/contracts/${foreign.id}`,
      `/contracts/${foreign.id}/schedule`,
      `/contracts/${foreign.id}/schedule.csv`,
      `/contracts/${foreign.id}/schedule.pdf`,
      `/contracts/${foreign.id}/payoff-quotes/new`,
      `/payoff-quotes/${foreignQuoteId}`,
      `/payoff-quotes/${foreignQuoteId}.pdf`,
      '/contracts/abc',
      '/payoff-quotes/99999999999',
    ])
      expect((await agent.get(path)).status, path).toBe(404);
    const form = await agent.get(`/contracts/${contract.id}/payoff-quotes/new`);
    const mail = await agent
      .post(`/payoff-quotes/${foreignQuoteId}/email`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text) });
    expect(mail.status).toBe(404);
    const save = await agent
      .post(`/contracts/${foreign.id}/payoff-quotes`)
      .type('form')
      .send({ payoffDate: '2026-12-01', _csrf: csrfFrom(form.text) });
    expect(save.status).toBe(404);
  });

  it('answers 403 without the permission (viewer has contracts.view only)', async () => {
    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    expect((await viewer.get('/contracts')).status).toBe(200);
    expect((await viewer.get('/contracts/1/payoff-quotes/new')).status).toBe(403);
    const home = await viewer.get('/contracts');
    expect(home.text).not.toContain('Request payoff quote');
    const mail = await viewer
      .post('/payoff-quotes/1/email')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) });
    expect(mail.status).toBe(403);
    const db = t.deps.db;
    const nobody = await createUser(db, {
      customer_id: (await createCustomer(db)).id,
      permissions: ['invoices.view'],
    });
    const { agent: n } = await signIn(t.app, nobody.email, FACTORY_PASSWORD);
    expect((await n.get('/contracts')).status).toBe(403);
    expect((await n.get('/payoff-quotes')).status).toBe(403);
  });
});
