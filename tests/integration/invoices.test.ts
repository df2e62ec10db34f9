import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startApp, type TestApp, pageText } from '../helpers/app.ts';
import { createPayer, signInAs } from './payments-fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const text = pageText;

describe('/invoices', () => {
  it('lists open invoices with totals of what is shown, filters, sorts and pages', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const res = await agent.get('/invoices');
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain('3 invoices match; balance $3,500.00 of $3,500.00 invoiced');
    expect(page).toContain('Total of the 3 invoices shown $3,500.00 $3,500.00');
    expect(res.text).toContain('Pay selected');

    const overdue = text((await agent.get('/invoices?status=overdue')).text);
    expect(overdue).toContain('2 invoices match; balance $1,500.00');

    const byContract = text((await agent.get(`/invoices?status=all&contract=${p.contracts[1]}`)).text);
    expect(byContract).toContain('1 invoice matches; balance $500.00');

    const range = text((await agent.get('/invoices?from=2026-11-05&to=2026-12-31')).text);
    expect(range).toContain('2 invoices match; balance $2,500.00');

    const search = text((await agent.get(`/invoices?q=${p.invoices[2]!.number.slice(-6)}`)).text);
    expect(search).toContain('1 invoice matches; balance $2,000.00');

    const sorted = (await agent.get('/invoices?sort=-amount')).text;
    const order = p.invoices.map((i) => sorted.indexOf(i.number));
    expect(order[2]).toBeLessThan(order[0]!);
    expect(order[0]).toBeLessThan(order[1]!);

    const paid = text((await agent.get('/invoices?status=paid')).text);
    expect(paid).toContain('No invoices match these filters.');
  });

  it('junk in the query string falls back to defaults, never a 500', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    for (const q of ['status=<script>', 'contract=abc', 'sort=;drop', 'page=-1', 'q=%25%25_']) {
      const res = await agent.get(`/invoices?${q}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<script>');
    }
  });

  it('a due date that does not exist answers 400 with the error summary, never a 500', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    for (const [q, field] of [
      ['from=2026-02-30', 'from'],
      ['to=2026-02-30', 'to'],
      ['from=2026-13-45', 'from'],
      ['to=0000-01-01', 'to'],
      ['from=2026-11-01&from=2026-11-02', 'from'],
      ['status=all&to=2026-04-31&sort=-due', 'to'],
    ] as const) {
      const res = await agent.get(`/invoices?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.text, q).toContain('There is a problem');
      expect(res.text, q).toContain(`href="#${field}"`);
      expect(res.text, q).toMatch(/as a real date, for example 2026-11-30|Enter one date for/);
    }
    // What was typed is shown again; a real date next to it still filters.
    const res = await agent.get('/invoices?from=2026-02-30&to=2026-12-31');
    expect(res.text).toContain('value="2026-02-30"');
    expect(res.text).toContain('value="2026-12-31"');
    expect(text(res.text)).toMatch(/\d+ invoices? match/);
  });

  it('pages through the demo customer’s invoices (20 a page)', async () => {
    const { agent } = await signIn(t.app, 'ap@acme.example');
    const res = await agent.get('/invoices?status=all');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/Page 1 of \d+/);
    const second = await agent.get('/invoices?status=all&page=2');
    expect(second.text).toMatch(/Page 2 of \d+/);
  });

  it('shows one invoice with lines by contract, payments and balance; and its PDF', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const res = await agent.get(`/invoices/${p.invoices[0]!.id}`);
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain(`Invoice ${p.invoices[0]!.number}`);
    expect(page).toMatch(
      /Contract TC-\S+ Charge Description Amount Rent Rent \$1,000\.00 Subtotal \$1,000\.00/,
    );
    expect(page).toContain('No payments yet.');
    expect(page).toContain('Balance due: $1,000.00');
    const pdf = await agent.get(`/invoices/${p.invoices[0]!.id}.pdf`).buffer(true);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('answers 404 for another customer’s invoice and its PDF, and for junk ids', async () => {
    const mine = await createPayer(t);
    const other = await createPayer(t);
    const agent = await signInAs(t, mine);
    for (const path of [
      `/invoices/${other.invoices[0]!.id}`,
      `/invoices/${other.invoices[0]!.id}.pdf`,
      '/invoices/abc',
      '/invoices/99999999999',
    ]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain(other.invoices[0]!.number);
    }
    const list = await agent.get('/invoices?status=all');
    expect(list.text).not.toContain(other.invoices[0]!.number);
  });

  it('scopes by label: a Maple invoice is not seen under Northwind', async () => {
    const maple = await createPayer(t, undefined, 'maple');
    const agent = await signInAs(t, maple); // signs in on the default (Northwind) host
    const res = await agent.get(`/invoices/${maple.invoices[0]!.id}`);
    expect(res.status).toBe(404);
  });

  it('403 without invoices.view; the viewer sees invoices but no pay controls', async () => {
    const p = await createPayer(t, ['contracts.view']);
    const agent = await signInAs(t, p);
    expect((await agent.get('/invoices')).status).toBe(403);
    expect((await agent.get(`/invoices/${p.invoices[0]!.id}.pdf`)).status).toBe(403);
    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    const res = await viewer.get('/invoices');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Pay selected');
    expect(res.text).not.toContain('href="/payments/new"');
  });
});
