/**
 * The report previews keep their heavy aggregates per process while the data's fingerprint is
 * unchanged (src/modules/reports/reports.queries.ts): a payment must show at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { ALL, createPayer, pay, signInAs, text } from './payments-fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

it('invoice aging and contract summary show a card payment on the next preview', async () => {
  const p = await createPayer(t, [...ALL, 'reports.run']);
  const agent = await signInAs(t, p);
  const aging = async () => text((await agent.get('/reports/invoice-aging').expect(200)).text);
  const summary = async () => text((await agent.get('/reports/contract-summary').expect(200)).text);
  expect(await aging()).toMatch(/Total \(2 rows\) USD .*\$3,500\.00/);
  expect(await summary()).toMatch(/Total \(2 rows\) USD .*\$3,500\.00/);

  const [, i2] = p.invoices;
  await pay(agent, p, [
    ['invoice', String(i2!.id)],
    [`amount_${i2!.id}`, ''],
    ['method', String(p.card)],
    ['payDate', '2026-11-16'],
  ]);
  expect(await aging()).toMatch(/Total \(1 row\) USD .*\$3,000\.00/); // k2 has nothing open now
  expect(await summary()).toMatch(/Total \(2 rows\) USD .*\$3,000\.00/);
});
