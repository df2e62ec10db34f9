/**
 * QUALITY 2 (ASVS 1.4.4): every route is either public or in the access matrix below, and the
 * matrix is checked by behaviour: anonymous requests are sent to sign in, a signed-in user
 * without the permission gets 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { listRoutes } from '../helpers/routes.ts';
import { signIn, startApp, type TestApp } from '../helpers/app.ts';

type Access = 'public' | 'signed-in' | 'superuser' | 'admin' | `perm:${string}`;

/** Every route and who may use it. A new route fails this test until it is listed here. */
export const ACCESS: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /labels/:code/theme.css': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'public',
  'POST /session/keepalive': 'public',
  'GET /': 'signed-in',
  'GET /customers/switch': 'superuser',
  'POST /customers/switch': 'superuser',
};

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const concrete = (path: string): string =>
  path.replace(/:[a-zA-Z]+(\.[a-z]+)?/g, (_m, ext: string | undefined) => `1${ext ?? ''}`);

describe('route inventory', () => {
  it('lists no route outside the access matrix', () => {
    const routes = listRoutes(t.app);
    expect(routes.length).toBeGreaterThan(5);
    expect(routes.filter((r) => !(r in ACCESS))).toEqual([]);
  });

  it('sends anonymous visitors of every protected GET to sign in', async () => {
    for (const [route, access] of Object.entries(ACCESS)) {
      const [method, path] = route.split(' ') as [string, string];
      if (access === 'public' || method !== 'GET') continue;
      const res = await request(t.app).get(concrete(path));
      expect([303, 302], route).toContain(res.status);
      expect(res.headers.location, route).toMatch(/^\/login/);
    }
  });

  it('refuses every permission-guarded route to a user without that permission (403)', async () => {
    // viewer@acme.example holds only invoices.view and contracts.view.
    const { agent } = await signIn(t.app, 'viewer@acme.example');
    for (const [route, access] of Object.entries(ACCESS)) {
      const [method, path] = route.split(' ') as [string, string];
      const denied =
        access === 'superuser' ||
        access === 'admin' ||
        (access.startsWith('perm:') && !['perm:invoices.view', 'perm:contracts.view'].includes(access));
      if (!denied) continue;
      const res =
        method === 'GET'
          ? await agent.get(concrete(path))
          : await agent.post(concrete(path)).type('form').send({});
      // A POST without a CSRF token may be refused by CSRF (403) before the guard: also a 403.
      expect(res.status, route).toBe(403);
    }
  });
});
