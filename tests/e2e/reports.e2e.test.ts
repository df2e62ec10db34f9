/**
 * Issue 6 with the keyboard alone and axe on every page: run the aging report (with a bad filter
 * first), page through its preview, then schedule a daily asset report for two colleagues.
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
async function typeInto(page: Page, target: Locator, value: string): Promise<void> {
  await target.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  if (value) await page.keyboard.type(value);
}

describe.skipIf(!browserAvailable)('reports in the browser', () => {
  beforeAll(async () => {
    env = await startBrowserEnv();
  });
  afterAll(async () => {
    await env?.close();
    recordE2eRun(ran);
  });

  it('runs the aging report and schedules a daily asset report with the keyboard', async () => {
    const base = env.base();
    const { page } = await env.newPage();
    await signInWithKeyboard(page, base, 'ap@acme.example', DEMO_PASSWORD);

    await activate(
      page,
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }),
    );
    expect(new URL(page.url()).pathname).toBe('/reports');
    await expectAccessible(page, 'report catalogue');
    await screenshot(page, 'reports-catalogue');

    await activate(page, page.getByRole('link', { name: 'Invoice aging' }));
    await expectAccessible(page, 'aging report');
    await typeInto(page, page.getByLabel('Contract number'), 'NO-SUCH-CONTRACT');
    await activate(page, page.getByRole('button', { name: 'Run report' }));
    expect(await page.getByRole('status').textContent()).toContain('No rows match');
    await typeInto(page, page.getByLabel('Contract number'), '');
    await activate(page, page.getByRole('button', { name: 'Run report' }));
    const caption = await page.locator('caption').textContent();
    expect(caption).toContain('Invoice aging');
    expect(await page.locator('tfoot th').first().textContent()).toMatch(/Total \(\d+ rows?\)/);
    await expectAccessible(page, 'aging preview');
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'reports-aging');
    // The download links carry the filters and the format.
    const pdfHref = await page.getByRole('link', { name: /^PDF/ }).getAttribute('href');
    expect(pdfHref).toContain('format=pdf');
    const pdf = await page.request.get(new URL(pdfHref!, base).toString());
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // Schedule a daily asset report for two colleagues.
    await page.goto(`${base}/reports`);
    await activate(page, page.getByRole('link', { name: 'Scheduled reports' }));
    await expectAccessible(page, 'schedules list');
    await activate(page, page.getByRole('link', { name: 'Schedule a report' }));
    await expectAccessible(page, 'choose a report');
    await activate(page, page.getByRole('link', { name: 'Asset listing by location' }));
    await expectAccessible(page, 'schedule form');
    await typeInto(page, page.getByLabel('Schedule name'), 'Daily assets');
    await typeInto(page, page.getByLabel('Time', { exact: true }), '7am');
    // Two colleagues besides the signed-in user (who is ticked already).
    const boxes = page.locator('input[name="recipients"]');
    let ticked = 0;
    for (let i = 0; i < (await boxes.count()) && ticked < 2; i++) {
      if (await boxes.nth(i).isChecked()) continue;
      await boxes.nth(i).focus();
      await page.keyboard.press('Space');
      ticked++;
    }
    await activate(page, page.getByRole('button', { name: 'Save schedule' }));
    // The time was wrong: an error summary, focus-able, with the field kept.
    expect(await page.getByRole('alert').textContent()).toContain('Enter the time as HH:MM');
    await expectAccessible(page, 'schedule form with an error');
    await screenshot(page, 'reports-schedule-error');
    await typeInto(page, page.getByLabel('Time', { exact: true }), '07:00');
    await activate(page, page.getByRole('button', { name: 'Save schedule' }));
    expect(new URL(page.url()).pathname).toMatch(/^\/reports\/schedules\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe('Daily assets');
    expect(await page.locator('.summary-list').textContent()).toContain('Daily at 07:00');
    await expectAccessible(page, 'schedule page');
    await screenshot(page, 'reports-schedule');
    ran++;
  }, 120_000);
});
