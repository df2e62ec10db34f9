/**
 * Browser harness: the real app on a loopback port, Debian's Chromium through playwright-core,
 * axe-core on every page visited. With REQUIRE_BROWSER=1 (CI) a missing Chromium fails the run
 * instead of skipping it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(CHROMIUM);
if (!browserAvailable && process.env.REQUIRE_BROWSER === '1') {
  throw new Error(
    `Browser tests are required (REQUIRE_BROWSER=1) but ${CHROMIUM} is missing: apt-get install -y chromium`,
  );
}

export const SCREENSHOTS = path.resolve('test-results/screenshots');

export interface BrowserEnv {
  t: TestApp;
  server: Server;
  port: number;
  browser: Browser;
  base(host?: string): string;
  newPage(opts?: {
    width?: number;
    javaScriptEnabled?: boolean;
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startBrowserEnv(): Promise<BrowserEnv> {
  const t = await startApp();
  const server = await new Promise<Server>((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    t,
    server,
    port,
    browser,
    base: (host = '127.0.0.1') => `http://${host}:${port}`,
    async newPage(opts = {}) {
      const context = await browser.newContext({
        viewport: { width: opts.width ?? 1280, height: 900 },
        javaScriptEnabled: opts.javaScriptEnabled ?? true,
      });
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
      await t.close();
    },
  };
}

/** axe-core with WCAG 2.0–2.2 A/AA tags: zero violations, listed readably when not. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
  expect(summary, `axe violations on ${what}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in with the keyboard alone: Tab to each field, type, Enter. */
export async function signInWithKeyboard(
  page: Page,
  base: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${base}/login`);
  await page.locator('#email').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await pressAndWaitForLoad(page, 'Enter');
}

/** Presses a key that submits a form or follows a link, and waits for the next page. */
export async function pressAndWaitForLoad(page: Page, key: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.keyboard.press(key)]);
}

/** No horizontal scrolling at this width outside tables. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

export function recordE2eRun(count: number): void {
  fs.mkdirSync('test-results', { recursive: true });
  fs.appendFileSync('test-results/e2e-ran', `${new Date().toISOString()} ${count} browser tests\n`);
}
