/**
 * QUALITY 21: axe on every page a user can reach by following links, for each role and both
 * labels. A breadth-first crawl from Home (same origin, GET pages only, no downloads), capped
 * per role so the run stays short; every page must also answer below 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../helpers/app.ts';
import {
  browserAvailable,
  expectAccessible,
  recordE2eRun,
  signInWithKeyboard,
  startBrowserEnv,
  type BrowserEnv,
} from './browser.ts';

let env: BrowserEnv;
let ran = 0;
const MAX_PAGES = 30;
const SKIP = /\/(logout|login)\b|\.(pdf|csv|xlsx)(\?|$)|\/download\b|[?&]format=(csv|xlsx|pdf)/;

/** One representative per route shape: /invoices/12 and /invoices/13 count once. */
const shape = (path: string): string =>
  path.replace(/\/\d+(?=\/|$)/g, '/:id').replace(/\?.*$/, (q) => (q.includes('page=') ? '?paged' : ''));

describe.skipIf(!browserAvailable)('every reachable page is accessible', () => {
  beforeAll(async () => {
    env = await startBrowserEnv();
  });
  afterAll(async () => {
    await env?.close();
    recordE2eRun(ran);
  });

  for (const [email, host, name] of [
    ['ap@acme.example', '127.0.0.1', 'user with every permission'],
    ['viewer@acme.example', '127.0.0.1', 'view-only user'],
    ['admin@acme.example', '127.0.0.1', 'portal admin'],
    ['admin@mapleharvest.example', 'maple.localhost', 'portal admin on the second label'],
  ] as const) {
    it(`crawls as ${name}`, { timeout: 480_000 }, async () => {
      const { page, context } = await env.newPage();
      const base = env.base(host);
      await signInWithKeyboard(page, base, email, DEMO_PASSWORD);
      const queue = ['/'];
      const seen = new Set<string>();
      const visited: string[] = [];
      while (queue.length && visited.length < MAX_PAGES) {
        const path = queue.shift()!;
        if (seen.has(shape(path))) continue;
        seen.add(shape(path));
        const res = await page.goto(base + path);
        expect(res?.status() ?? 0, path).toBeLessThan(500);
        if (new URL(page.url()).pathname.startsWith('/login'))
          throw new Error(`signed out while visiting ${path}`);
        await expectAccessible(page, `${path} as ${name}`);
        visited.push(path);
        const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
        for (const href of links) {
          if (!href.startsWith('/') || href.startsWith('//') || SKIP.test(href) || href.includes('#'))
            continue;
          if (!seen.has(shape(href))) queue.push(href);
        }
      }
      expect(visited.length).toBeGreaterThan(1);
      console.log(`${name}: ${visited.length} pages checked`);
      await context.close();
      ran++;
    });
  }
});
