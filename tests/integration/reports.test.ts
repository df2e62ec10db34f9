/**
 * Reports run now: each report's figures against hand-made data, CSV/XLSX/PDF read back,
 * bad filters → 400, permissions and scoping, and a 20,000-row CSV streamed in batches.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import {
  createContract,
  createCustomer,
  createInvoice,
  createPayment,
  createScheduleLine,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { createAsset } from '../factories/assets.ts';
import { signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';
import { reportDef } from '../../src/modules/reports/reports.definitions.ts';

let t: TestApp;
let agent: Agent;
let c1: { id: number; number: string };
let c2: { id: number; number: string };
let nw: number;

const text = pageText;

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  nw = await labelId(db, 'northwind');
  const mine = await createCustomer(db, { name: 'Reports Test Co' });
  const user = await createUser(db, { customer_id: mine.id, permissions: ['reports.run'] });
  c1 = await createContract(db, { customer_id: mine.id, private_label_id: nw });
  c2 = await createContract(db, { customer_id: mine.id, private_label_id: nw, status: 'matured' });
  // Aging as of 2026-11-16 on c1: current (due 11-20) 100.00; 10 days 200.00; 45 days 300.00;
  // 75 days 400.00; 120 days 500.00 (of 600.00, partly paid); a paid one that never counts.
  // c2: due today (current) 50.00 and yesterday (1–30) 70.00.
  const inv = async (contract: { id: number }, due: string, total: number, balance = total) =>
    createInvoice(db, {
      customer_id: mine.id,
      private_label_id: nw,
      contract_id: contract.id,
      due_date: due,
      total_minor: total,
      balance_minor: balance,
    });
  await inv(c1, '2026-11-20', 100_00);
  await inv(c1, '2026-11-06', 200_00);
  await inv(c1, '2026-10-02', 300_00);
  await inv(c1, '2026-09-02', 400_00);
  await inv(c1, '2026-07-19', 600_00, 500_00);
  await inv(c1, '2026-08-01', 999_00, 0);
  await inv(c2, '2026-11-16', 50_00);
  await inv(c2, '2026-11-15', 70_00);
  // Upcoming: c1 lines on 12-01, 2027-01-01, 2027-03-01 (1,000.00 + 60.00 each).
  for (const [seq, due] of [
    [1, '2026-11-01'],
    [2, '2026-12-01'],
    [3, '2027-01-01'],
    [4, '2027-03-01'],
  ] as const)
    await createScheduleLine(db, { contract_id: c1.id, seq, due_date: due, balance_after_minor: 0 });
  await createAsset(db, {
    customer_id: mine.id,
    private_label_id: nw,
    contract_id: c1.id,
    cost_minor: 18_000_00,
    city: 'Dallas',
    region: 'TX',
    country: 'US',
  });
  await createAsset(db, {
    customer_id: mine.id,
    private_label_id: nw,
    contract_id: c2.id,
    cost_minor: 12_000_00,
    city: 'Austin',
    region: 'TX',
    country: 'US',
    description: '=HYPERLINK("x")',
  });
  await createPayment(db, {
    customer_id: mine.id,
    private_label_id: nw,
    amount_minor: 250_00,
    status: 'settled',
    initiated_at: '2026-10-05T15:00:00Z',
    settled_at: '2026-10-07T15:00:00Z',
  });
  await createPayment(db, {
    customer_id: mine.id,
    private_label_id: nw,
    amount_minor: 75_50,
    status: 'failed',
    initiated_at: '2026-11-10T15:00:00Z',
  });
  await db('payoff_quotes').insert({
    number: `PQ-RPT-${c1.id}`,
    customer_id: mine.id,
    private_label_id: nw,
    contract_id: c1.id,
    quote_date: '2026-11-02',
    payoff_date: '2026-11-30',
    valid_until: '2026-11-30',
    total_minor: 21_345_67,
    currency: 'USD',
    status: 'issued',
  });
  // Another customer's data never appears.
  const other = await createCustomer(db, { name: 'Other Reports Ltd' });
  const oc = await createContract(db, { customer_id: other.id, private_label_id: nw });
  await createInvoice(db, {
    customer_id: other.id,
    private_label_id: nw,
    contract_id: oc.id,
    due_date: '2026-01-01',
    total_minor: 9_999_00,
  });
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});

afterAll(async () => {
  await t.close();
});

describe('catalogue and permissions', () => {
  it('lists the six reports', async () => {
    const res = await agent.get('/reports').expect(200);
    for (const title of [
      'Contract summary',
      'Asset listing by location',
      'Invoice aging',
      'Payment history',
      'Upcoming payments',
      'Payoff quotes issued',
    ])
      expect(text(res.text)).toContain(title);
  });

  it('refuses a user without reports.run with 403', async () => {
    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    await viewer.get('/reports').expect(403);
    await viewer.get('/reports/invoice-aging?format=csv').expect(403);
  });

  it('answers 404 for an unknown report', async () => {
    await agent.get('/reports/nope').expect(404);
  });

  it('answers 400 with an error summary for bad filters', async () => {
    const res = await agent.get('/reports/payment-history?from=2026-13-01&status=bogus').expect(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#from"');
    expect(res.text).toContain('href="#status"');
    const r2 = await agent.get('/reports/payment-history?from=2026-11-01&to=2026-10-01').expect(400);
    expect(text(r2.text)).toContain('The end date must be on or after the start date');
    await agent.get('/reports/upcoming-payments?months=99').expect(400);
    await agent.get('/reports/invoice-aging?format=docx').expect(400);
  });
});

describe('figures', () => {
  it('ages invoices per contract and in total', async () => {
    const res = await agent.get('/reports/invoice-aging').expect(200);
    const body = text(res.text);
    expect(body).toContain(`${c1.number} USD $100.00 $200.00 $300.00 $400.00 $500.00 $1,500.00`);
    expect(body).toContain(`${c2.number} USD $50.00 $70.00 $0.00 $0.00 $0.00 $120.00`);
    expect(body).toContain('Total (2 rows) USD $150.00 $270.00 $300.00 $400.00 $500.00 $1,620.00');
    expect(body).not.toContain('9,999.00');
    const one = text((await agent.get(`/reports/invoice-aging?contract=${c2.number}`).expect(200)).text);
    expect(one).toContain('Total (1 row) USD $50.00 $70.00');
  });

  it('sums upcoming payments for the next N months', async () => {
    const three = text((await agent.get('/reports/upcoming-payments').expect(200)).text);
    expect(three).toContain('Total (2 rows) USD $2,000.00 $120.00 $2,120.00');
    const six = text((await agent.get('/reports/upcoming-payments?months=6').expect(200)).text);
    expect(six).toContain('Total (3 rows) USD $3,000.00 $180.00 $3,180.00');
  });

  it('lists contracts with open balances', async () => {
    const body = text((await agent.get('/reports/contract-summary').expect(200)).text);
    expect(body).toContain('$1,500.00');
    expect(body).toContain('Total (2 rows) USD $2,000.00 $60,000.00 $1,620.00');
    const matured = text((await agent.get('/reports/contract-summary?status=matured').expect(200)).text);
    expect(matured).toContain('Total (1 row) USD $1,000.00 $30,000.00 $120.00');
  });

  it('lists assets by location', async () => {
    const body = text((await agent.get('/reports/asset-listing').expect(200)).text);
    expect(body.indexOf('Austin, TX, US')).toBeLessThan(body.indexOf('Dallas, TX, US'));
    expect(body).toContain('Total (2 rows) USD $30,000.00');
    const dallas = text((await agent.get('/reports/asset-listing?city=dallas').expect(200)).text);
    expect(dallas).toContain('Total (1 row) USD $18,000.00');
  });

  it('lists payments and payoff quotes with date filters', async () => {
    const all = text((await agent.get('/reports/payment-history').expect(200)).text);
    expect(all).toContain('Total (2 rows) USD $325.50');
    const oct = text(
      (await agent.get('/reports/payment-history?from=2026-10-01&to=2026-10-31').expect(200)).text,
    );
    expect(oct).toContain('Total (1 row) USD $250.00');
    const quotes = text((await agent.get('/reports/payoff-quotes?status=issued').expect(200)).text);
    expect(quotes).toContain(`PQ-RPT-${c1.id}`);
    expect(quotes).toContain('$21,345.67');
  });
});

describe('downloads', () => {
  it('CSV parses back with plain amounts, a totals row and formula guard', async () => {
    const res = await agent.get('/reports/invoice-aging?format=csv').expect(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const rows = parse(res.text) as string[][];
    expect(rows[0]).toEqual([
      'Contract',
      'Currency',
      'Current',
      '1–30 days',
      '31–60 days',
      '61–90 days',
      'Over 90 days',
      'Total',
    ]);
    expect(rows).toContainEqual([
      c1.number,
      'USD',
      '100.00',
      '200.00',
      '300.00',
      '400.00',
      '500.00',
      '1500.00',
    ]);
    expect(rows.at(-1)).toEqual([
      'Total (2 rows)',
      'USD',
      '150.00',
      '270.00',
      '300.00',
      '400.00',
      '500.00',
      '1620.00',
    ]);
    const assets = parse(
      (await agent.get('/reports/asset-listing?format=csv').expect(200)).text,
    ) as string[][];
    expect(assets.map((r) => r[2])).toContain(`'=HYPERLINK("x")`);
  });

  it('XLSX reads back with exceljs', async () => {
    const res = await agent
      .get('/reports/upcoming-payments?months=6&format=xlsx')
      .buffer(true)
      .parse(binary)
      .expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe('Due date');
    expect(ws.getRow(2).getCell(1).value).toBe('2026-12-01');
    expect(ws.getRow(2).getCell(7).value).toBe(1060);
    expect(ws.getRow(5).getCell(1).value).toBe('Total (3 rows)');
    expect(ws.getRow(5).getCell(7).value).toBe(3180);
  });

  it('PDF starts with %PDF and its text holds the title, rows and totals', async () => {
    const res = await agent.get('/reports/invoice-aging?format=pdf').buffer(true).parse(binary).expect(200);
    const buf = res.body as Buffer;
    expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(os.tmpdir(), `aging-${process.pid}.pdf`);
    fs.writeFileSync(file, buf);
    let out = '';
    try {
      out = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    } catch (err) {
      if (process.env.CI) throw err; // .ci/run installs poppler-utils
      return; // poppler-utils missing on a developer's machine
    } finally {
      fs.rmSync(file, { force: true });
    }
    expect(out).toContain('Invoice aging');
    expect(out).toContain(c1.number);
    expect(out).toContain('$1,620.00');
    expect(out).toMatch(/page 1/);
  });
});

describe('streaming', () => {
  it('streams a 20,000-row CSV in keyset batches without loading every row', async () => {
    const db = t.deps.db;
    const big = await createCustomer(db, { name: 'Big Reports Co' });
    const user = await createUser(db, { customer_id: big.id, permissions: ['reports.run'] });
    const c = await createContract(db, { customer_id: big.id, private_label_id: nw });
    await db.raw(
      `insert into schedule_lines (contract_id, seq, due_date, rent_minor, tax_minor, balance_after_minor)
       select ?, g, date '2026-11-20' + (g % 300), 100, 6, 0 from generate_series(1, 20000) g`,
      [c.id],
    );
    // The repository yields rows one batch (1,000) at a time.
    const def = reportDef('upcoming-payments')!;
    const gen = t.deps.reports.rows(
      def,
      { customerId: big.id, labelId: nw, today: '2026-11-16' },
      { months: 12 },
    );
    const first = await gen.next();
    expect(first.done).toBe(false);
    await gen.return(undefined);

    const { agent: bigAgent } = await signIn(t.app, user.email, FACTORY_PASSWORD);
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    const res = await bigAgent.get('/reports/upcoming-payments?months=12&format=csv').expect(200);
    clearInterval(timer);
    const lines = res.text.trimEnd().split('\n');
    expect(lines).toHaveLength(20_002); // header + rows + total
    expect(lines.at(-1)).toBe('Total (20000 rows),,,USD,20000.00,1200.00,21200.00');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    // The response text itself is ~1 MB; rows are never all held as objects at once.
    expect(peak - before).toBeLessThan(60 * 1024 * 1024);
  }, 60_000);
});

describe('customer scoping', () => {
  /** Records of one customer under Northwind, every report's kind, each with a telling name. */
  async function customerWithEverything(tag: string, city: string) {
    const db = t.deps.db;
    const customer = await createCustomer(db, { name: `Scoping ${tag} Co` });
    const user = await createUser(db, { customer_id: customer.id, permissions: ['reports.run'] });
    const contract = await createContract(db, { customer_id: customer.id, private_label_id: nw });
    const invoice = await createInvoice(db, {
      customer_id: customer.id,
      private_label_id: nw,
      contract_id: contract.id,
      due_date: '2026-10-01',
      total_minor: 500_00,
    });
    await createScheduleLine(db, {
      contract_id: contract.id,
      seq: 1,
      due_date: '2026-12-01',
      balance_after_minor: 0,
    });
    const asset = await createAsset(db, {
      customer_id: customer.id,
      private_label_id: nw,
      contract_id: contract.id,
      city,
    });
    const payment = await createPayment(db, {
      customer_id: customer.id,
      private_label_id: nw,
      amount_minor: 100_00,
      status: 'settled',
      initiated_at: '2026-11-02T15:00:00Z',
      settled_at: '2026-11-03T15:00:00Z',
    });
    const reference = `GW-SCOPE-${tag}-${payment.id}`;
    await db('payments').where({ id: payment.id }).update({ gateway_reference: reference });
    await db('payment_allocations').insert({
      payment_id: payment.id,
      invoice_id: invoice.id,
      amount_minor: 100_00,
    });
    const quote = `PQ-SCOPE-${tag}-${contract.id}`;
    await db('payoff_quotes').insert({
      number: quote,
      customer_id: customer.id,
      private_label_id: nw,
      contract_id: contract.id,
      quote_date: '2026-11-05',
      payoff_date: '2026-11-30',
      valid_until: '2026-11-30',
      total_minor: 12_345_00,
      currency: 'USD',
      status: 'issued',
    });
    const { agent: signedIn } = await signIn(t.app, user.email, FACTORY_PASSWORD);
    // What each report must show of this customer.
    const shows: Record<string, string[]> = {
      'contract-summary': [contract.number],
      'asset-listing': [asset.number, asset.serial_number, city, contract.number],
      'invoice-aging': [contract.number],
      'payment-history': [reference, invoice.number],
      'upcoming-payments': [contract.number],
      'payoff-quotes': [quote, contract.number],
    };
    const everything = [
      contract.number,
      invoice.number,
      asset.number,
      asset.serial_number,
      city,
      reference,
      quote,
    ];
    return { agent: signedIn, shows, everything };
  }

  it("shows each customer only its own rows in every report's CSV, both having data", async () => {
    const a = await customerWithEverything('ALPHA', 'Alphaville');
    const b = await customerWithEverything('BRAVO', 'Bravotown');
    const types = Object.keys(a.shows);
    expect(types.sort()).toEqual(
      [
        'asset-listing',
        'contract-summary',
        'invoice-aging',
        'payment-history',
        'payoff-quotes',
        'upcoming-payments',
      ].sort(),
    );
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const type of types) {
        const csv = (await me.agent.get(`/reports/${type}?format=csv`).expect(200)).text;
        const rows = parse(csv) as string[][];
        // Header, exactly one row of this customer's, and the totals row.
        expect(rows, `${type} rows`).toHaveLength(3);
        for (const mine of me.shows[type]!) expect(csv, `${type} shows ${mine}`).toContain(mine);
        for (const theirs of other.everything) expect(csv, `${type} hides ${theirs}`).not.toContain(theirs);
      }
    }
  });
});
