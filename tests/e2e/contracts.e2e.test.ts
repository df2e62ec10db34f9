/**
 * Issue 4's "Done when", with the keyboard alone and axe on every page: open an overdue contract
 * and its schedule, upload a PDF, request a payoff quote for next month (with an error first),
 * save and e-mail it, raise a service request and see it under Pending Actions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../helpers/app.ts';
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

async function activate(page: Page, target: Locator): Promise<void> {
  await target.focus();
  await pressAndWaitForLoad(page, 'Enter');
}
/** Opens the header's Quick Actions (a <details>) with Enter and follows one of its links. */
async function quickAction(page: Page, name: string): Promise<void> {
  await page.locator('.quick-actions summary').focus();
  await page.keyboard.press('Enter');
  await activate(
    page,
    page.getByRole('navigation', { name: 'Quick Actions' }).getByRole('link', { name, exact: true }),
  );
}
async function typeInto(page: Page, target: Locator, value: string): Promise<void> {
  await target.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
}

describe.skipIf(!browserAvailable)('contracts in the browser', () => {
  beforeAll(async () => {
    env = await startBrowserEnv();
  });
  afterAll(async () => {
    await env?.close();
    recordE2eRun(ran);
  });

  it('overdue contract, schedule, upload, payoff quote and service request with the keyboard', async () => {
    const base = env.base();
    const { page } = await env.newPage();
    await signInWithKeyboard(page, base, 'ap@acme.example', DEMO_PASSWORD);

    // Contracts from the main menu, overdue only.
    await activate(
      page,
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contracts' }),
    );
    expect(new URL(page.url()).pathname).toBe('/contracts');
    await expectAccessible(page, 'contracts list');
    await page.locator('#overdue').focus();
    await page.keyboard.press('Space');
    await activate(page, page.getByRole('button', { name: 'Apply' }));
    expect(page.url()).toContain('overdue=1');
    expect(await page.locator('tbody .overdue-flag').count()).toBeGreaterThan(0);
    await screenshot(page, 'contracts-overdue');

    // Open the first overdue contract.
    await activate(page, page.locator('tbody th a').first());
    expect(new URL(page.url()).pathname).toMatch(/^\/contracts\/\d+$/);
    const contractPath = new URL(page.url()).pathname;
    await expectAccessible(page, 'contract page');
    await screenshot(page, 'contract-show');

    // Its schedule.
    await activate(page, page.getByRole('link', { name: 'Payment schedule' }));
    await expectAccessible(page, 'schedule');
    await screenshot(page, 'contract-schedule');
    await activate(page, page.getByRole('link', { name: /^Back to contract/ }));

    // Upload a PDF.
    await activate(page, page.getByRole('link', { name: 'Upload or view documents' }));
    await expectAccessible(page, 'documents');
    await page.locator('#category').focus();
    await page.keyboard.press('ArrowDown'); // Certificate of insurance
    await page.locator('#file').focus();
    // Space (or Enter) on a focused file input opens the chooser; retry once if the first key is lost.
    const openChooser = async (key: string) =>
      (
        await Promise.all([page.waitForEvent('filechooser', { timeout: 5_000 }), page.keyboard.press(key)])
      )[0];
    const chooser = await openChooser('Space').catch(() => openChooser('Enter'));
    await chooser.setFiles({
      name: 'coi-2026.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
    });
    await activate(page, page.getByRole('button', { name: 'Upload' }));
    expect(await page.getByRole('status').filter({ hasText: 'coi-2026.pdf uploaded.' }).count()).toBe(1);
    await expectAccessible(page, 'documents after upload');
    await screenshot(page, 'documents-uploaded');

    // Payoff quote from Quick Actions.
    await page.goto(`${base}/`);
    await quickAction(page, 'Request Payoff Quote');
    expect(page.url()).toContain('intent=payoff');
    await expectAccessible(page, 'choose contract for payoff');
    await activate(page, page.locator(`a[href="${contractPath}/payoff-quotes/new"]`));
    await expectAccessible(page, 'payoff form');
    // First without a date: the error summary takes focus.
    await activate(page, page.getByRole('button', { name: 'Calculate quote' }));
    expect(
      await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary') ?? false),
    ).toBe(true);
    await expectAccessible(page, 'payoff form with errors');
    await screenshot(page, 'payoff-error');
    // Next month, typed into the date field (en-US segments: month, day, year).
    await typeInto(page, page.locator('#payoffDate'), '12102026');
    await activate(page, page.getByRole('button', { name: 'Calculate quote' }));
    expect(await page.locator('h1').textContent()).toContain('Review payoff quote');
    await expectAccessible(page, 'payoff review');
    await screenshot(page, 'payoff-review');
    await activate(page, page.getByRole('button', { name: 'Save quote' }));
    expect(new URL(page.url()).pathname).toMatch(/^\/payoff-quotes\/\d+$/);
    await activate(page, page.getByRole('button', { name: 'E-mail it to me' }));
    expect(await page.getByRole('status').textContent()).toContain('Quote sent to ap@acme.example');
    await expectAccessible(page, 'payoff quote');
    await screenshot(page, 'payoff-quote');

    // A service request from Quick Actions, then Home's Pending Actions.
    await page.goto(`${base}/`);
    await quickAction(page, 'Service Requests');
    await expectAccessible(page, 'service requests');
    await activate(page, page.getByRole('link', { name: 'Raise a service request' }));
    await page.locator('#category').focus();
    await page.keyboard.press('Space');
    await typeInto(page, page.locator('#subject'), 'Certificate of insurance for 2027');
    await typeInto(
      page,
      page.locator('#description'),
      'Please confirm you received our renewed certificate.',
    );
    await activate(page, page.getByRole('button', { name: 'Raise request' }));
    expect(new URL(page.url()).pathname).toMatch(/^\/service-requests\/\d+$/);
    const number = (await page.locator('h1').textContent())!.replace('Service request ', '').trim();
    await expectAccessible(page, 'service request');
    await screenshot(page, 'service-request');
    await activate(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }));
    expect(await page.locator('main').textContent()).toContain(number);

    // 320 px: the contract page does not scroll sideways outside its tables.
    const narrow = await env.newPage({ width: 320 });
    await signInWithKeyboard(narrow.page, base, 'ap@acme.example', DEMO_PASSWORD);
    await narrow.page.goto(`${base}${contractPath}`);
    await expectNoHorizontalScroll(narrow.page);
    await screenshot(narrow.page, 'contract-show-320');
    ran++;
  }, 120_000);
});
