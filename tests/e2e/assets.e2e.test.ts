/**
 * Issue 5's "Done when", with the keyboard alone: a demo user finds an asset by serial, asks to
 * move it and a second asset, sees the request pending on Home; the superuser approves and
 * completes it; the user sees the new location and its history. axe on every page.
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

/** Moves focus to a link or button and presses Enter, waiting for the next page. */
async function activate(page: Page, target: Locator): Promise<void> {
  await target.focus();
  await pressAndWaitForLoad(page, 'Enter');
}

/** Focus a field and type, as a keyboard user would (Ctrl+A first replaces what is there). */
async function typeInto(page: Page, target: Locator, value: string): Promise<void> {
  await target.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
}

const focusedIsErrorSummary = (page: Page) =>
  page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary') ?? false);

describe.skipIf(!browserAvailable)('assets and location changes in the browser', () => {
  let tractor: { id: number; number: string; serial: string };
  let second: { id: number; number: string };

  beforeAll(async () => {
    env = await startBrowserEnv();
    // Two of Acme's Dallas tractors (seeded, no open request).
    const rows = (await env.t.deps
      .db('assets as a')
      .join('customers as c', 'c.id', 'a.customer_id')
      .where({ 'c.number': 'C-10001', 'a.category': 'Tractor unit', 'a.status': 'active' })
      .orderBy('a.number')
      .limit(2)
      .select('a.id', 'a.number', 'a.serial_number as serial')) as {
      id: number;
      number: string;
      serial: string;
    }[];
    expect(rows).toHaveLength(2);
    [tractor, second] = rows as [typeof tractor, typeof second];
  });
  afterAll(async () => {
    await env?.close();
    recordE2eRun(ran);
  });

  it('the whole journey: find by serial, request a move of two assets, approve, complete, see it', async () => {
    const base = env.base();
    const user = await env.newPage();
    const page = user.page;
    await signInWithKeyboard(page, base, 'ap@acme.example', DEMO_PASSWORD);

    // Assets, from the main menu.
    await activate(
      page,
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assets' }),
    );
    expect(new URL(page.url()).pathname).toBe('/assets');
    await expectAccessible(page, 'assets list');
    await screenshot(page, 'assets-list');

    // Find the tractor by its serial number.
    await typeInto(page, page.locator('#q'), tractor.serial);
    await pressAndWaitForLoad(page, 'Enter');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('1 asset match');
    await expectAccessible(page, 'assets search result');
    await screenshot(page, 'assets-search-serial');
    await activate(page, page.getByRole('link', { name: tractor.number }));

    // The asset page, then the request form with this asset; add a second asset.
    expect(new URL(page.url()).pathname).toBe(`/assets/${tractor.id}`);
    await expectAccessible(page, 'asset page');
    await screenshot(page, 'asset-page-before');
    await activate(page, page.getByRole('link', { name: 'Request a location change' }));
    await expectAccessible(page, 'location change form (one asset)');
    await activate(page, page.getByRole('link', { name: 'Add other assets' }));
    expect(await page.locator(`input[name="asset"][value="${tractor.id}"]`).isChecked()).toBe(true);
    await page.locator(`input[name="asset"][value="${second.id}"]`).focus();
    await page.keyboard.press('Space');
    expect(await page.locator(`input[name="asset"][value="${second.id}"]`).isChecked()).toBe(true);

    // Fill the address with a bad ZIP and a past date: the error summary takes focus.
    await typeInto(page, page.locator('#addressLine1'), '8800 Ambassador Row');
    await typeInto(page, page.locator('#city'), 'Dallas');
    await page.locator('#region').focus();
    await page.keyboard.type('Texas');
    expect(await page.locator('#region').inputValue()).toBe('TX');
    await typeInto(page, page.locator('#postalCode'), '7524');
    await page.locator('#effectiveDate').focus();
    await page.keyboard.type('11012026'); // mm dd yyyy segments: a date in the past
    await typeInto(page, page.locator('#contactName'), 'Luis Ortega');
    await typeInto(page, page.locator('#contactPhone'), '(713) 555-0188');
    await typeInto(page, page.locator('#contactEmail'), 'luis.ortega@acme.example');
    await typeInto(page, page.locator('#reason'), 'Consolidating tractors at the new yard.');
    await activate(page, page.getByRole('button', { name: 'Continue' }));
    await expect.poll(() => focusedIsErrorSummary(page)).toBe(true);
    const summary = (await page.locator('[data-error-summary]').textContent()) ?? '';
    expect(summary).toContain('ZIP code of 5 digits');
    expect(summary).toContain('today (2026-11-16) or later');
    expect(await page.locator('#contactEmail').inputValue()).toBe('luis.ortega@acme.example');
    await expectAccessible(page, 'location change form (errors)');
    await screenshot(page, 'location-change-errors');
    // The summary's link takes the keyboard to the field.
    await page.getByRole('link', { name: /ZIP code of 5 digits/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('postalCode');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('75247');
    await page.locator('#effectiveDate').focus();
    await page.keyboard.type('12012026');
    await activate(page, page.getByRole('button', { name: 'Continue' }));

    // Review, then submit.
    expect(new URL(page.url()).pathname).toBe('/assets/location-change/review');
    const review = (await page.locator('main').textContent()) ?? '';
    expect(review).toContain(tractor.number);
    expect(review).toContain(second.number);
    expect(review).toContain('Dec 1, 2026');
    await expectAccessible(page, 'location change review');
    await screenshot(page, 'location-change-review');
    await activate(page, page.getByRole('button', { name: 'Submit request' }));
    expect(new URL(page.url()).pathname).toMatch(/^\/location-change-requests\/\d+$/);
    const requestPath = new URL(page.url()).pathname;
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/LCR-\d+ submitted/);
    await expectAccessible(page, 'location change request (submitted)');
    await screenshot(page, 'location-change-submitted');

    // Pending on Home.
    await activate(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }));
    const pending = page.locator('#card-pending').locator('..');
    await expect.poll(() => pending.locator(`a[href="${requestPath}"]`).count()).toBe(1);
    await expectAccessible(page, 'home with the request pending');

    // The superuser approves and completes it.
    const su = await env.newPage();
    const sp = su.page;
    await signInWithKeyboard(sp, base, 'super@northwind.example', DEMO_PASSWORD);
    await typeInto(sp, sp.locator('#q'), 'Acme');
    await pressAndWaitForLoad(sp, 'Enter');
    await activate(sp, sp.getByRole('button', { name: /View Acme/ }));
    await activate(sp, sp.locator('#card-pending').locator('..').locator(`a[href="${requestPath}"]`));
    await expectAccessible(sp, 'request as superuser (submitted)');
    for (const [status, comment] of [
      ['in_review', 'Checking insurance for the new yard.'],
      ['approved', 'Insurance confirmed for 8800 Ambassador Row.'],
      ['completed', 'Location records updated.'],
    ] as const) {
      const radio = sp.locator(`input[name="status"][value="${status}"]`);
      await radio.focus();
      await sp.keyboard.press('Space');
      expect(await radio.isChecked()).toBe(true);
      await typeInto(sp, sp.locator('#comment'), comment);
      await activate(sp, sp.getByRole('button', { name: 'Update status' }));
      await expect
        .poll(() => sp.getByRole('status').textContent())
        .toContain(`is now ${status.replace('_', ' ')}`);
      await expectAccessible(sp, `request as superuser (${status})`);
    }
    await screenshot(sp, 'location-change-completed-superuser');
    await su.context.close();

    // The user sees the comments, the new location and its history.
    await page.reload();
    await activate(page, page.locator(`a[href="${requestPath}"]`).first());
    const history = (await page.locator('main').textContent()) ?? '';
    expect(history).toContain('Insurance confirmed for 8800 Ambassador Row.');
    expect(history).toContain('Completed');
    await screenshot(page, 'location-change-completed-user');
    await activate(page, page.getByRole('link', { name: tractor.number }));
    const assetPage = (await page.locator('main').textContent()) ?? '';
    // Completed before its move date (Dec 1; today is Nov 16): the asset is still where it was,
    // and the page says where and when it moves (docs/domain.md: the address effective on or
    // before today is current).
    expect(assetPage).not.toMatch(/Current location\s*8800 Ambassador Row/);
    expect(assetPage).toMatch(
      /Moving to 8800 Ambassador Row, Dallas, TX 75247, United States on Dec 1, 2026 \(location change LCR-\d+\)/,
    );
    await expectAccessible(page, 'asset page after the move');
    await screenshot(page, 'asset-page-after');
    await user.context.close();
    ran++;
  }, 240_000);

  it('fits 320 px: the list and the form scroll only inside the table', async () => {
    const { page, context } = await env.newPage({ width: 320 });
    await signInWithKeyboard(page, env.base(), 'ap@acme.example', DEMO_PASSWORD);
    for (const path of ['/assets', `/assets/${second.id}`, '/assets/location-change/new']) {
      await page.goto(`${env.base()}${path}`);
      await expectNoHorizontalScroll(page);
      await expectAccessible(page, `${path} at 320 px`);
    }
    await screenshot(page, 'location-change-form-320');
    await context.close();
    ran++;
  }, 120_000);

  it('on the Canadian label the form asks for a province and a postal code', async () => {
    const { page, context } = await env.newPage();
    const base = env.base('maple.localhost');
    await signInWithKeyboard(page, base, 'admin@mapleharvest.example', DEMO_PASSWORD);
    await page.goto(`${base}/assets/location-change/new`);
    expect(await page.locator('#country').inputValue()).toBe('CA');
    expect(await page.locator('label[for="region"]').textContent()).toBe('Province or territory');
    await page.locator('#postalCode').focus();
    await page.keyboard.type('V6B 1A1');
    await page.locator('#region').focus();
    await page.keyboard.type('Ontario');
    await activate(page, page.getByRole('button', { name: 'Continue' }));
    await expect.poll(() => focusedIsErrorSummary(page)).toBe(true);
    expect(await page.locator('[data-error-summary]').textContent()).toContain('is not in Ontario');
    await expectAccessible(page, 'location change form on the maple label (errors)');
    await screenshot(page, 'location-change-maple-errors');
    await context.close();
    ran++;
  }, 180_000);

  it('a user without assets.view gets no Assets menu and a 403 page', async () => {
    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), 'viewer@acme.example', DEMO_PASSWORD);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assets' }).count(),
    ).toBe(0);
    const res = await page.goto(`${env.base()}/assets`);
    expect(res?.status()).toBe(403);
    await expectAccessible(page, '403 on assets');
    await context.close();
    ran++;
  }, 180_000);
});
