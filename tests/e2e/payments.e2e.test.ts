/**
 * Paying and autopay with the keyboard alone (focus + Space/Enter/typing; no clicks), axe on
 * every page visited, error states included: amount too big, no invoice chosen, a bad card on
 * the gateway's page, a declined card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FACTORY_PASSWORD } from '../factories/index.ts';
import { createPayer, type Payer } from '../integration/payments-fixtures.ts';
import {
  browserAvailable,
  expectAccessible,
  expectNoHorizontalScroll,
  pressAndWaitForLoad,
  recordE2eRun,
  screenshot,
  signInWithKeyboard,
  startBrowserEnv,
  type BrowserEnv,
} from './browser.ts';

let env: BrowserEnv;
let ran = 0;

async function press(page: Page, selector: string, key: string): Promise<void> {
  await page.locator(selector).focus();
  await page.keyboard.press(key);
}
async function type(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  if (value) await page.keyboard.type(value);
}
async function submitWith(page: Page, selector: string): Promise<void> {
  await page.locator(selector).focus();
  await pressAndWaitForLoad(page, 'Enter');
}
const main = (page: Page) => page.locator('main').innerText();

describe.skipIf(!browserAvailable)('paying in the browser', () => {
  let p: Payer;
  beforeAll(async () => {
    env = await startBrowserEnv();
    p = await createPayer(env.t);
  });
  afterAll(async () => {
    await env?.close();
    recordE2eRun(ran);
  });

  it('pays two invoices with the keyboard: errors first, a declined new card, then a saved card', async () => {
    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), p.email, FACTORY_PASSWORD);
    await page.goto(`${env.base()}/invoices`);
    await expectAccessible(page, 'invoices');
    await screenshot(page, 'payments-01-invoices');
    const [i1, i2] = p.invoices;
    await press(page, `#pick-${i1!.id}`, 'Space');
    await press(page, `#pick-${i2!.id}`, 'Space');
    await submitWith(page, 'button:has-text("Pay selected")');
    expect(new URL(page.url()).pathname).toBe('/payments/new');
    expect(await page.locator(`input[name=invoice][value="${i1!.id}"]`).isChecked()).toBe(true);
    await expectAccessible(page, 'payment form');

    // Amount too big.
    await type(page, `#amount_${i1!.id}`, '99999');
    await submitWith(page, 'button:has-text("Continue")');
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true);
    expect(await main(page)).toContain('must be $1,000.00 or less');
    await expectAccessible(page, 'payment form: amount too big');
    await screenshot(page, 'payments-02-amount-too-big');
    // The summary's link takes focus to the field.
    await page.getByRole('link', { name: /must be \$1,000\.00 or less/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`amount_${i1!.id}`);

    // No invoice chosen.
    await press(page, 'input[name=invoice][value="' + i1!.id + '"]', 'Space');
    await press(page, 'input[name=invoice][value="' + i2!.id + '"]', 'Space');
    await submitWith(page, 'button:has-text("Continue")');
    expect(await main(page)).toContain('Choose at least one invoice to pay');
    await expectAccessible(page, 'payment form: no invoice chosen');
    await screenshot(page, 'payments-03-no-invoice');

    // Two invoices, one in part, with a new card on the gateway's page.
    await press(page, 'input[name=invoice][value="' + i1!.id + '"]', 'Space');
    await press(page, 'input[name=invoice][value="' + i2!.id + '"]', 'Space');
    await type(page, `#amount_${i1!.id}`, '400.25');
    await type(page, `#amount_${i2!.id}`, '');
    await press(page, 'input[name=method][value="new-card"]', 'Space');
    await submitWith(page, 'button:has-text("Continue")');
    expect(new URL(page.url()).pathname).toBe('/gateway/sandbox/card');
    await expectAccessible(page, 'gateway card page');
    // A bad card number first: the gateway's page shows its own errors, without the number.
    await type(page, '#name', 'Pat Payer');
    await type(page, '#number', '4000 0000 0000 0001');
    await type(page, '#expMonth', '12');
    await type(page, '#expYear', '2029');
    await type(page, '#cvc', '123');
    await submitWith(page, 'button:has-text("Save card")');
    expect(await main(page)).toContain('Enter a valid card number');
    expect(await page.locator('#number').inputValue()).toBe('');
    await expectAccessible(page, 'gateway card page: error');
    await screenshot(page, 'payments-04-gateway-error');
    await type(page, '#number', '4000 0000 0000 0002');
    await type(page, '#cvc', '123');
    await submitWith(page, 'button:has-text("Save card")');
    expect(new URL(page.url()).pathname).toBe('/payments/review');
    expect(await main(page)).toContain('Visa ending 0002');
    expect(await main(page)).toContain('$900.25');
    await expectAccessible(page, 'review');
    await screenshot(page, 'payments-05-review');
    await submitWith(page, 'button:has-text("Pay $900.25")');
    expect(await main(page)).toContain('This payment failed: Card declined by the issuer');
    await expectAccessible(page, 'payment: declined');
    await screenshot(page, 'payments-06-declined');

    // Try again with the saved Visa 4242.
    await submitWith(page, 'a:has-text("Try again")');
    await type(page, `#amount_${i1!.id}`, '400.25');
    await press(page, `input[name=method][value="${p.card}"]`, 'Space');
    await submitWith(page, 'button:has-text("Continue")');
    await submitWith(page, 'button:has-text("Pay $900.25")');
    expect(await main(page)).toContain('Paid: $900.25 settled');
    await expectAccessible(page, 'payment: settled');
    await screenshot(page, 'payments-07-receipt');

    // Home reflects it at once.
    await page.goto(`${env.base()}/`);
    const home = await main(page);
    expect(home).toMatch(/Overdue\s+\$599\.75/);
    expect(home).toMatch(/Last payment: \$900\.25/);

    await page.goto(`${env.base()}/invoices/${i1!.id}`);
    expect(await main(page)).toContain('Balance due: $599.75');
    await expectAccessible(page, 'invoice detail with payments');
    await screenshot(page, 'payments-07b-invoice');
    await page.goto(`${env.base()}/payments`);
    await expectAccessible(page, 'payment history');
    await screenshot(page, 'payments-08-history');
    await context.close();
    ran++;
  }, 120_000);

  it('sets up autopay with the keyboard (error state, review, confirm) and manages methods', async () => {
    const { page, context } = await env.newPage({ width: 320 });
    await signInWithKeyboard(page, env.base(), p.email, FACTORY_PASSWORD);
    await page.goto(`${env.base()}/autopay`);
    await expectAccessible(page, 'autopay');
    await submitWith(page, 'a.button:has-text("Set up autopay")');
    await expectAccessible(page, 'autopay form');
    await type(page, '#days', '45');
    await submitWith(page, 'button:has-text("Continue")');
    expect(await main(page)).toContain('Accept the autopay terms to continue');
    await expectAccessible(page, 'autopay form: errors');
    await screenshot(page, 'autopay-01-errors');
    await press(page, '#which', 'Space');
    await press(page, `input[name=method][value="${p.ach}"]`, 'Space');
    await type(page, '#days', '3');
    await press(page, '#terms', 'Space');
    await submitWith(page, 'button:has-text("Continue")');
    expect(new URL(page.url()).pathname).toBe('/autopay/review');
    await expectAccessible(page, 'autopay review');
    await expectNoHorizontalScroll(page);
    await submitWith(page, 'button:has-text("Turn on autopay")');
    expect(await main(page)).toContain('Autopay is on for 2 contracts.');
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'autopay: on');
    await screenshot(page, 'autopay-02-on');

    await page.goto(`${env.base()}/payment-methods`);
    await expectAccessible(page, 'payment methods');
    await submitWith(page, `a[href="/payment-methods/${p.ach}/remove"]`);
    await submitWith(page, 'button:has-text("Remove")');
    expect(await main(page)).toContain('Change autopay to another method or cancel it first');
    await expectAccessible(page, 'payment method in use');
    await screenshot(page, 'payment-methods-in-use');
    await context.close();
    ran++;
  }, 120_000);

  it('the viewer sees invoices and payments without pay controls, axe clean', async () => {
    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), 'viewer@acme.example', 'Demo-Portal-2026!');
    await page.goto(`${env.base()}/invoices?status=all`);
    expect(await page.locator('button:has-text("Pay selected")').count()).toBe(0);
    await expectAccessible(page, 'invoices as viewer');
    await page.locator('tbody a[href^="/invoices/"]').first().focus();
    await pressAndWaitForLoad(page, 'Enter');
    await expectAccessible(page, 'invoice as viewer');
    await page.goto(`${env.base()}/payments`);
    await expectAccessible(page, 'payments as viewer');
    await page.locator('tbody a[href^="/payments/"]').first().focus();
    await pressAndWaitForLoad(page, 'Enter');
    await expectAccessible(page, 'payment as viewer');
    await screenshot(page, 'payments-viewer-payment');
    await context.close();
    ran++;
  }, 180_000);
});
