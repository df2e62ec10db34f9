/**
 * The contract filter of /invoices and /assets for a customer with many contracts: a text input
 * for the contract number (whole or its start) instead of a select of every contract; the
 * `contract` id in links keeps working; a number that matches nothing says so on the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContract,
  createCustomer,
  createInvoice,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { createAsset } from '../factories/assets.ts';
import { signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let contracts: { id: number; number: string }[];
let invoices: { id: number; number: string }[];
let assets: { id: number; number: string }[];

const text = pageText;

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  const nw = await labelId(db, 'northwind');
  const c = await createCustomer(db, { name: 'Many Contracts Fleet Test' });
  const user = await createUser(db, {
    customer_id: c.id,
    permissions: ['invoices.view', 'assets.view', 'contracts.view'],
  });
  contracts = [];
  for (let i = 0; i < 55; i++)
    contracts.push(await createContract(db, { customer_id: c.id, private_label_id: nw }));
  invoices = [];
  assets = [];
  for (const k of contracts.slice(0, 3)) {
    invoices.push(
      await createInvoice(db, {
        customer_id: c.id,
        private_label_id: nw,
        contract_id: k.id,
        due_date: '2026-12-01',
        total_minor: 100_00,
      }),
    );
    assets.push(await createAsset(db, { customer_id: c.id, private_label_id: nw, contract_id: k.id }));
  }
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});
afterAll(async () => {
  await t.close();
});

describe('contract filter for a customer with more than 50 contracts', () => {
  it('invoices: a text input instead of a select; the exact number, any case, filters', async () => {
    const page = await agent.get('/invoices');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<input[^>]+id="contractNumber"/);
    expect(page.text).not.toMatch(/<select[^>]+name="contract"/);
    expect(page.text).not.toContain(contracts[40]!.number);

    const k = contracts[1]!;
    const res = await agent.get(`/invoices?contractNumber=${encodeURIComponent(k.number.toLowerCase())}`);
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('1 invoice matches');
    expect(res.text).toContain(invoices[1]!.number);
    expect(res.text).not.toContain(invoices[0]!.number);
    expect(res.text).toContain(`value="${k.number}"`);
  });

  it('invoices: a link with the contract id still filters and shows its number', async () => {
    const k = contracts[2]!;
    const res = await agent.get(`/invoices?contract=${k.id}`);
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('1 invoice matches');
    expect(res.text).toContain(invoices[2]!.number);
    expect(res.text).toContain(`value="${k.number}"`);
  });

  it('invoices: no match, or a start shared by several, is an error linked to the field', async () => {
    const none = await agent.get('/invoices?contractNumber=NO-SUCH-CONTRACT');
    expect(none.status).toBe(400);
    expect(none.text).toContain('There is a problem');
    expect(none.text).toContain('href="#contractNumber"');
    expect(none.text).toContain('No contract has a number that is or starts with “NO-SUCH-CONTRACT”');
    expect(none.text).toMatch(/id="contractNumber"[\s\S]*?aria-invalid="true"/);
    expect(none.text).toContain('value="NO-SUCH-CONTRACT"');
    expect(none.text).not.toContain(invoices[0]!.number);

    const several = await agent.get('/invoices?contractNumber=TC-');
    expect(several.status).toBe(400);
    expect(several.text).toContain('More than one contract number starts with “TC-”');
  });

  it('assets: the select lists only contracts with assets, so three of them stay a select', async () => {
    const page = await agent.get('/assets');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<select[^>]+name="contract"/);
    const res = await agent.get(`/assets?contract=${contracts[1]!.id}`);
    expect(text(res.text)).toContain('1 asset match');
    expect(res.text).toContain(assets[1]!.number);
  });

  it('assets: a typed number filters too; an unknown one is an error linked to the field', async () => {
    const res = await agent.get(`/assets?contractNumber=${encodeURIComponent(contracts[2]!.number)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(assets[2]!.number);
    expect(res.text).not.toContain(assets[0]!.number);
    const bad = await agent.get('/assets?contractNumber=NOPE');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#contractNumber"');
  });

  it('another customer’s contract number finds nothing', async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const other = await createCustomer(db);
    const theirs = await createContract(db, { customer_id: other.id, private_label_id: nw });
    const res = await agent.get(`/invoices?contractNumber=${encodeURIComponent(theirs.number)}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('No contract has a number');
  });
});
