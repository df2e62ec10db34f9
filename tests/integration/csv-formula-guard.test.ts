/**
 * The spreadsheet formula guard on real downloads: a formula written to look like a number
 * (`-1+HYPERLINK(...)`, which the old guard let through because it starts with "-digit") in an
 * asset's city and an invoice number leaves every CSV and XLSX export neutralised, while amounts
 * and counts still leave as plain numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
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
import { signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';

const EVIL = '-1+HYPERLINK("http://evil.example")';
const EVIL_INVOICE = '-2+HYPERLINK("http://evil.example/i")';

let t: TestApp;
let agent: Agent;
let contract: { id: number; number: string };

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  const nw = await labelId(db, 'northwind');
  const customer = await createCustomer(db, { name: 'Formula Guard Co' });
  const user = await createUser(db, {
    customer_id: customer.id,
    permissions: ['reports.run', 'contracts.view'],
  });
  contract = await createContract(db, { customer_id: customer.id, private_label_id: nw });
  await createAsset(db, {
    customer_id: customer.id,
    private_label_id: nw,
    contract_id: contract.id,
    cost_minor: 12_345_67,
    city: EVIL,
    region: 'TX',
    country: 'US',
  });
  await createScheduleLine(db, {
    contract_id: contract.id,
    seq: 1,
    due_date: '2026-12-01',
    balance_after_minor: 0,
  });
  const invoice = await createInvoice(db, {
    customer_id: customer.id,
    private_label_id: nw,
    contract_id: contract.id,
    due_date: '2026-12-01',
    total_minor: 1_060_00,
  });
  await db('invoices').where({ id: invoice.id }).update({ number: EVIL_INVOICE });
  await db('schedule_lines').where({ contract_id: contract.id, seq: 1 }).update({ invoice_id: invoice.id });
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});

afterAll(async () => {
  await t.close();
});

describe('spreadsheet formula guard on downloads', () => {
  it('neutralises a numeric-looking formula in an asset city in asset-listing.csv', async () => {
    const res = await agent.get('/reports/asset-listing?format=csv').expect(200);
    expect(res.headers['content-disposition']).toMatch(/asset-listing-.*\.csv/);
    const rows = parse(res.text) as string[][];
    expect(rows[0]![0]).toBe('Location');
    const row = rows.find((r) => r[0]!.includes('HYPERLINK'));
    expect(row![0]).toBe(`'${EVIL}, TX, US`);
    // The cost is a number, not guarded text.
    expect(row![7]).toBe('12345.67');
    // No cell anywhere in the file starts with a formula character.
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('neutralises it in the XLSX export too, with amounts as numeric cells', async () => {
    const res = await agent.get('/reports/asset-listing?format=xlsx').buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(2).getCell(1).value).toBe(`'${EVIL}, TX, US`);
    expect(ws.getRow(2).getCell(8).value).toBe(12345.67);
    expect(ws.getRow(2).getCell(1).formula).toBeUndefined();
  });

  it("neutralises an invoice number in the contract's schedule CSV; periods and amounts stay numbers", async () => {
    const res = await agent.get(`/contracts/${contract.id}/schedule.csv`).expect(200);
    const rows = parse(res.text) as string[][];
    expect(rows[0]).toEqual([
      'Period',
      'Due date',
      'Rent (USD)',
      'Tax (USD)',
      'Total (USD)',
      'Status',
      'Invoice',
    ]);
    expect(rows[1]).toEqual(['1', '2026-12-01', '1000.00', '60.00', '1060.00', 'due', `'${EVIL_INVOICE}`]);
    expect(rows.at(-1)).toEqual(['Totals', '', '1000.00', '60.00', '1060.00', '', '']);
  });
});
