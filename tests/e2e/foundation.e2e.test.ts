import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe.skipIf(!browserAvailable)('foundation in the browser', () => {
  beforeAll(async () => {
    env = await startBrowserEnv();
  });
  afterAll(async () => {
    await env?.close();
    recordE2eRun(ran);
  });

  it('login page: skip link first, axe clean empty and in error, error summary focused', async () => {
    const { page, context } = await env.newPage();
    await page.goto(`${env.base()}/login`);
    await expectAccessible(page, 'login (empty)');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      'Skip to main content',
    );
    await page.locator('#email').fill('ap@acme.example');
    await page.locator('#password').fill('not-the-password');
    await pressAndWaitForLoad(page, 'Enter');
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute('data-error-summary')),
    ).not.toBeNull();
    await expectAccessible(page, 'login (error)');
    await screenshot(page, 'login-error');
    await page.getByRole('link', { name: 'Email or password is wrong' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
    await context.close();
    ran++;
  });

  for (const [email, role] of [
    ['admin@acme.example', 'portal-admin'],
    ['ap@acme.example', 'user-all-permissions'],
    ['viewer@acme.example', 'user-view-only'],
  ] as const) {
    it(`signs in as ${role} with the keyboard and sees an accessible Home`, async () => {
      const { page, context } = await env.newPage();
      await signInWithKeyboard(page, env.base(), email, DEMO_PASSWORD);
      expect(new URL(page.url()).pathname).toBe('/');
      await expect.poll(() => page.locator('h1').textContent()).toMatch(/Welcome/);
      await expectAccessible(page, `home as ${role}`);
      await screenshot(page, `home-${role}`);
      await context.close();
      ran++;
    });
  }

  it('Quick Actions open, move and close with the keyboard', async () => {
    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), 'ap@acme.example', DEMO_PASSWORD);
    const summary = page.locator('details.quick-actions summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('details.quick-actions').getAttribute('open')).not.toBeNull();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Set up Autopay');
    await expectAccessible(page, 'home with Quick Actions open');
    await screenshot(page, 'quick-actions-open');
    await page.keyboard.press('Escape');
    expect(await page.locator('details.quick-actions').getAttribute('open')).toBeNull();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY');
    await context.close();
    ran++;
  });

  it('Quick Actions work with JavaScript off', async () => {
    const { page, context } = await env.newPage({ javaScriptEnabled: false });
    await signInWithKeyboard(page, env.base(), 'ap@acme.example', DEMO_PASSWORD);
    await page.locator('details.quick-actions summary').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('link', { name: 'Make Payment' }).isVisible()).toBe(true);
    await context.close();
    ran++;
  });

  it('the currency selector re-shows credit with the keyboard', async () => {
    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), 'ap@acme.example', DEMO_PASSWORD);
    await page.locator('#currency').focus();
    await page.keyboard.press('ArrowDown'); // USD → next currency
    const chosen = await page.locator('#currency').inputValue();
    expect(chosen).not.toBe('USD');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/currency=/);
    await expect
      .poll(() => page.locator('#card-credit').locator('..').textContent())
      .toContain(`Shown in ${chosen}`);
    await expectAccessible(page, 'home in secondary currency');
    await context.close();
    ran++;
  });

  it('superuser is sent to the switcher, searches and switches with the keyboard', async () => {
    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), 'super@northwind.example', DEMO_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/customers/switch');
    await expectAccessible(page, 'customer switcher');
    await page.locator('#q').focus();
    await page.keyboard.type('Birch');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=Birch/);
    await page.getByRole('button', { name: /View Birch/ }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/');
    await expect.poll(() => page.locator('.current-customer').textContent()).toContain('Birch');
    await expectAccessible(page, 'home as superuser');
    await screenshot(page, 'home-superuser-birch');
    // Switch to another customer: nothing of Birch remains.
    await page.goto(`${env.base()}/customers/switch?q=Cedar`);
    await page.getByRole('button', { name: /View Cedar/ }).click();
    await page.waitForURL((u) => u.pathname === '/');
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).toContain('Cedar');
    expect(body).not.toContain('Birch');
    await context.close();
    ran++;
  });

  it('the second label answers on its own host with its own brand and currency', async () => {
    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base('maple.localhost'), 'admin@mapleharvest.example', DEMO_PASSWORD);
    await expect.poll(() => page.title()).toContain('Maple Leaf Leasing');
    expect(await page.locator('body').textContent()).toMatch(/CA?\$|CAD/);
    await expectAccessible(page, 'home on maple label');
    await screenshot(page, 'home-maple');
    await context.close();
    ran++;
  });

  it('fits 320 px without horizontal scrolling', async () => {
    const { page, context } = await env.newPage({ width: 320 });
    await signInWithKeyboard(page, env.base(), 'ap@acme.example', DEMO_PASSWORD);
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'home-320');
    await page.goto(`${env.base()}/nope`);
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    await expectAccessible(page, '404 page');
    await context.close();
    ran++;
  });
});
