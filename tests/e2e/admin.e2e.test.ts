/**
 * Admin journey with the keyboard alone, axe on every page: invite a colleague with only
 * invoices.view, accept the invitation from the e-mail, see that they cannot pay, deactivate
 * them and see their open session end; the audit log shows each step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import {
  browserAvailable,
  expectAccessible,
  pressAndWaitForLoad,
  recordE2eRun,
  screenshot,
  signInWithKeyboard,
  startBrowserEnv,
  type BrowserEnv,
} from './browser.ts';

let env: BrowserEnv;
let ran = 0;

async function typeInto(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).focus();
  await page.keyboard.type(value);
}

async function activate(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().focus();
  await pressAndWaitForLoad(page, 'Enter');
}

describe.skipIf(!browserAvailable)('admin in the browser', () => {
  beforeAll(async () => {
    env = await startBrowserEnv();
  });
  afterAll(async () => {
    await env?.close();
    recordE2eRun(ran);
  });

  it('invites a colleague, who accepts, gets only invoices.view, and is deactivated', async () => {
    const db = env.t.deps.db;
    const c = await createCustomer(db, { name: 'Keyboard Kites Ltd' });
    const admin = await createUser(db, { customer_id: c.id, role: 'portal_admin', name: 'Kim Admin' });
    const colleagueEmail = `colleague-${Date.now()}@test.example`;

    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), admin.email, FACTORY_PASSWORD);
    await page.goto(`${env.base()}/admin/users`);
    expect(await page.locator('h1').textContent()).toBe('Users');
    await expectAccessible(page, 'users list');
    await screenshot(page, 'admin-users-list');

    await activate(page, 'a[href="/admin/users/new"]');
    await expectAccessible(page, 'invite form');
    // Submit empty first: the error summary.
    await activate(page, 'form[action="/admin/users/new"] button[type=submit]');
    expect(await page.locator('.error-summary, [data-error-summary]').first().textContent()).toContain(
      'Enter the person',
    );
    await expectAccessible(page, 'invite form (errors)');
    await screenshot(page, 'admin-invite-errors');

    await typeInto(page, '#name', 'Colin Colleague');
    await typeInto(page, '#email', colleagueEmail);
    await page.locator('#perm-invoices-view').focus();
    await page.keyboard.press('Space');
    expect(await page.locator('#perm-invoices-view').isChecked()).toBe(true);
    await screenshot(page, 'admin-invite-filled');
    await activate(page, 'form[action="/admin/users/new"] button[type=submit]');
    expect(await page.locator('.notice--success').textContent()).toContain(
      `Invitation sent to ${colleagueEmail}`,
    );
    await expectAccessible(page, 'users list after invite');

    // The invitation e-mail, as sent: the link is made only when the outbox sends it (no usable
    // token rests in the database), so it is read from the delivered .eml file.
    await env.t.deps.outbox.drain();
    const mailDir = env.t.deps.config.mailDir;
    let mailText = '';
    for (const f of fs.readdirSync(mailDir)) {
      const parsed = await simpleParser(fs.readFileSync(path.join(mailDir, f)));
      const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join() : (parsed.to?.text ?? '');
      if (to.includes(colleagueEmail)) mailText = parsed.text ?? '';
    }
    const link = /\/reset-password\/[A-Za-z0-9_-]{43}/.exec(mailText)![0];

    const colleague = await env.newPage();
    const cp = colleague.page;
    await cp.goto(`${env.base()}${link}`);
    await expectAccessible(cp, 'set up account');
    await typeInto(cp, '#password', 'kite string lantern harbour');
    await cp.keyboard.press('Tab');
    await cp.keyboard.type('kite string lantern harbour');
    await pressAndWaitForLoad(cp, 'Enter');
    expect(await cp.locator('h1').textContent()).toBe('Your account is ready');
    await expectAccessible(cp, 'account ready');
    await screenshot(cp, 'admin-invite-accepted');

    await signInWithKeyboard(cp, env.base(), colleagueEmail, 'kite string lantern harbour');
    const invoices = await cp.goto(`${env.base()}/invoices`);
    expect(invoices?.status()).toBe(200);
    const pay = await cp.goto(`${env.base()}/payments/new`);
    expect(pay?.status()).toBe(403);
    await cp.goto(`${env.base()}/`);

    // The admin deactivates the colleague, with a confirmation step.
    await page.goto(`${env.base()}/admin/users?q=colin`);
    await activate(page, 'tbody a[href^="/admin/users/"]');
    expect(await page.locator('h1').textContent()).toBe('Colin Colleague');
    await expectAccessible(page, 'user page');
    await screenshot(page, 'admin-user-page');
    await activate(page, 'a[href$="/deactivate"]');
    await expectAccessible(page, 'deactivate confirmation');
    await screenshot(page, 'admin-deactivate-confirm');
    await activate(page, 'form[action$="/deactivate"] button[type=submit]');
    expect(await page.locator('.notice--success').textContent()).toContain('is deactivated');

    // Their open session has ended.
    await cp.reload();
    expect(new URL(cp.url()).pathname).toBe('/login');

    await page.goto(`${env.base()}/admin/audit`);
    const log = await page.locator('table').textContent();
    for (const action of ['user.create', 'user.invitation_accepted', 'auth.sign_in', 'user.deactivate'])
      expect(log).toContain(action);
    await expectAccessible(page, 'audit log');
    await screenshot(page, 'admin-audit-log');

    await colleague.context.close();
    await context.close();
    ran++;
  }, 120_000);

  it('an admin switches on two-step sign-in with the keyboard and signs in with a code', async () => {
    const db = env.t.deps.db;
    const c = await createCustomer(db, { name: 'Two Step Tiles Ltd' });
    const admin = await createUser(db, { customer_id: c.id, role: 'portal_admin', name: 'Tess Twostep' });
    const codeFor = (secret: string) =>
      new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
        timestamp: env.t.clock.now().getTime(),
      });

    const { page, context } = await env.newPage();
    await signInWithKeyboard(page, env.base(), admin.email, FACTORY_PASSWORD);
    await page.goto(`${env.base()}/account`);
    await expectAccessible(page, 'account');
    await screenshot(page, 'account');
    await activate(page, 'a[href="/account/two-step"]');
    await expectAccessible(page, 'two-step enrolment');
    await screenshot(page, 'account-two-step');
    const secret = ((await page.locator('code.key').textContent()) ?? '').replace(/\s/g, '');
    await typeInto(page, '#code', codeFor(secret));
    await pressAndWaitForLoad(page, 'Enter');
    expect(await page.locator('h1').textContent()).toBe('Your recovery codes');
    await expectAccessible(page, 'recovery codes');
    await screenshot(page, 'account-recovery-codes');
    await context.close();

    env.t.clock.advance(30_000);
    const next = await env.newPage();
    await signInWithKeyboard(next.page, env.base(), admin.email, FACTORY_PASSWORD);
    expect(new URL(next.page.url()).pathname).toBe('/login/two-step');
    await expectAccessible(next.page, 'two-step code');
    await screenshot(next.page, 'login-two-step');
    await typeInto(next.page, '#code', codeFor(secret));
    await pressAndWaitForLoad(next.page, 'Enter');
    expect(new URL(next.page.url()).pathname).toBe('/');
    await next.context.close();
    ran++;
  }, 120_000);
});
