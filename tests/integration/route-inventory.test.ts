/**
 * QUALITY 2 (ASVS 1.4.4): every route is either public or in the access matrix below, and the
 * matrix is checked by behaviour: anonymous requests are sent to sign in, a signed-in user
 * without the permission gets 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { listRoutes } from '../helpers/routes.ts';
import { csrfFrom, signIn, startApp, type TestApp } from '../helpers/app.ts';

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
  // Invoices & Payments (issue 3). Payment methods and the gateway's pages accept payments.make
  // or autopay.manage; the viewer holds neither.
  'GET /invoices': 'perm:invoices.view',
  'GET /invoices/:id': 'perm:invoices.view',
  'GET /invoices/:id.pdf': 'perm:invoices.view',
  'GET /payments': 'perm:invoices.view',
  'GET /payments/:id': 'perm:invoices.view',
  'GET /payments/:id/receipt.pdf': 'perm:invoices.view',
  'GET /payments/new': 'perm:payments.make',
  'POST /payments/new': 'perm:payments.make',
  'GET /payments/method-added': 'perm:payments.make',
  'GET /payments/review': 'perm:payments.make',
  'POST /payments/confirm': 'perm:payments.make',
  'POST /payments/:id/cancel': 'perm:payments.make',
  'GET /payment-methods': 'perm:payments.make',
  'GET /payment-methods/new': 'perm:payments.make',
  'POST /payment-methods/new': 'perm:payments.make',
  'GET /payment-methods/added': 'perm:payments.make',
  'GET /payment-methods/:id/edit': 'perm:payments.make',
  'POST /payment-methods/:id/edit': 'perm:payments.make',
  'POST /payment-methods/:id/default': 'perm:payments.make',
  'GET /payment-methods/:id/remove': 'perm:payments.make',
  'POST /payment-methods/:id/remove': 'perm:payments.make',
  'GET /gateway/sandbox/card': 'perm:payments.make',
  'POST /gateway/sandbox/card': 'perm:payments.make',
  'GET /gateway/sandbox/bank-account': 'perm:payments.make',
  'POST /gateway/sandbox/bank-account': 'perm:payments.make',
  'GET /autopay': 'perm:autopay.manage',
  'GET /autopay/new': 'perm:autopay.manage',
  'POST /autopay/new': 'perm:autopay.manage',
  'GET /autopay/review': 'perm:autopay.manage',
  'POST /autopay/confirm': 'perm:autopay.manage',
  'POST /autopay/:contractId/cancel': 'perm:autopay.manage',
  // Contracts, schedules, documents, payoff quotes, service requests (issue 4).
  'GET /contracts': 'perm:contracts.view',
  'GET /contracts/:id': 'perm:contracts.view',
  'GET /contracts/:id/schedule': 'perm:contracts.view',
  'GET /contracts/:id/schedule.csv': 'perm:contracts.view',
  'GET /contracts/:id/schedule.pdf': 'perm:contracts.view',
  'GET /contracts/:contractId/payoff-quotes/new': 'perm:payoff.request',
  'POST /contracts/:contractId/payoff-quotes/review': 'perm:payoff.request',
  'POST /contracts/:contractId/payoff-quotes': 'perm:payoff.request',
  'POST /contracts/:contractId/payoff-quotes/paydown/review': 'perm:payoff.request',
  'POST /contracts/:contractId/payoff-quotes/paydown': 'perm:payoff.request',
  'GET /contracts/:contractId/documents': 'perm:contracts.view',
  'POST /contracts/:contractId/documents': 'perm:documents.upload',
  'GET /documents/:id/download': 'perm:contracts.view',
  'GET /payoff-quotes': 'perm:contracts.view',
  'GET /payoff-quotes/:id': 'perm:contracts.view',
  'GET /payoff-quotes/:id.pdf': 'perm:contracts.view',
  'POST /payoff-quotes/:id/email': 'perm:payoff.request',
  'GET /service-requests': 'perm:service_requests.manage',
  'GET /service-requests/new': 'perm:service_requests.manage',
  'POST /service-requests': 'perm:service_requests.manage',
  'GET /service-requests/:id': 'perm:service_requests.manage',
  'POST /service-requests/:id/comments': 'perm:service_requests.manage',
  'POST /service-requests/:id/status': 'perm:service_requests.manage',
  // Assets and location changes (issue 5). The request page accepts assets.view or
  // assets.request_location_change; the viewer holds neither. Status changes are the lessor's.
  'GET /assets': 'perm:assets.view',
  'GET /assets/:id': 'perm:assets.view',
  'GET /assets/location-change/new': 'perm:assets.request_location_change',
  'POST /assets/location-change/new': 'perm:assets.request_location_change',
  'GET /assets/location-change/review': 'perm:assets.request_location_change',
  'POST /assets/location-change/review': 'perm:assets.request_location_change',
  'GET /location-change-requests/:id': 'perm:assets.view',
  'POST /location-change-requests/:id/status': 'superuser',
  // Admin and accounts (issue 7).
  'GET /admin/users': 'admin',
  'GET /admin/users/new': 'admin',
  'POST /admin/users/new': 'admin',
  'GET /admin/users/:id': 'admin',
  'POST /admin/users/:id': 'admin',
  'POST /admin/users/:id/invitation': 'admin',
  'POST /admin/users/:id/two-step/reset': 'admin',
  'GET /admin/users/:id/deactivate': 'admin',
  'POST /admin/users/:id/deactivate': 'admin',
  'GET /admin/users/:id/activate': 'admin',
  'POST /admin/users/:id/activate': 'admin',
  'GET /admin/audit': 'admin',
  'GET /account': 'signed-in',
  'POST /account/name': 'signed-in',
  'POST /account/password': 'signed-in',
  'POST /account/notifications': 'signed-in',
  'GET /account/two-step': 'signed-in',
  'POST /account/two-step': 'signed-in',
  'POST /account/two-step/disable': 'signed-in',
  'GET /forgot-password': 'public',
  'POST /forgot-password': 'public',
  'GET /reset-password/:token': 'public',
  'POST /reset-password/:token': 'public',
  'GET /login/two-step': 'public',
  'POST /login/two-step': 'public',
  // Reports (issue 6). A report file link is signed and expiring: it needs no session.
  'GET /reports': 'perm:reports.run',
  'GET /reports/:type': 'perm:reports.run',
  'GET /reports/files/:runId': 'public',
  'GET /reports/schedules': 'perm:reports.schedule',
  'GET /reports/schedules/new': 'perm:reports.schedule',
  'POST /reports/schedules': 'perm:reports.schedule',
  'GET /reports/schedules/:id': 'perm:reports.schedule',
  'POST /reports/schedules/:id': 'perm:reports.schedule',
  'GET /reports/schedules/:id/edit': 'perm:reports.schedule',
  'POST /reports/schedules/:id/delete': 'perm:reports.schedule',
  'POST /reports/schedules/:id/pause': 'perm:reports.schedule',
  'POST /reports/schedules/:id/resume': 'perm:reports.schedule',
  'POST /reports/schedules/:id/runs/:runId/resend': 'perm:reports.schedule',
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

  it('sends anonymous visitors of every protected route to sign in, POSTs with a valid CSRF token too', async () => {
    const anon = request.agent(t.app);
    const token = csrfFrom((await anon.get('/login')).text);
    let posts = 0;
    for (const [route, access] of Object.entries(ACCESS)) {
      const [method, path] = route.split(' ') as [string, string];
      if (access === 'public') continue;
      const res =
        method === 'GET'
          ? await anon.get(concrete(path))
          : await anon.post(concrete(path)).type('form').send({ _csrf: token });
      expect([303, 302], route).toContain(res.status);
      expect(res.headers.location, route).toMatch(/^\/login/);
      if (method === 'POST') posts++;
    }
    expect(posts).toBeGreaterThan(30);
  });

  it('refuses every permission-guarded route to a user without that permission: 403 from the guard, not from CSRF', async () => {
    // viewer@acme.example holds only invoices.view and contracts.view. Every POST carries the
    // session's valid token, so the guard (not the CSRF check) is what refuses it.
    const { agent } = await signIn(t.app, 'viewer@acme.example');
    const token = csrfFrom((await agent.get('/account')).text);
    let checked = 0;
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
          : await agent.post(concrete(path)).type('form').send({ _csrf: token });
      expect(res.status, route).toBe(403);
      expect(res.text, route).toContain(GUARD_403);
      expect(res.text, route).not.toContain(CSRF_403);
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
    // The token was valid all along: the same session still posts a form of its own.
    const signOut = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(signOut.status).toBe(303);
  });

  it('tells a CSRF refusal apart from a guard refusal', async () => {
    const { agent } = await signIn(t.app, 'viewer@acme.example');
    const res = await agent.post('/autopay/new').type('form').send({ _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(res.text).toContain(CSRF_403);
    expect(res.text).not.toContain(GUARD_403);
  });
});

/** The guards' 403 page (views/errors/403.ejs) and the CSRF check's (views/errors/csrf.ejs). */
const GUARD_403 = '<h1>You do not have access to this page</h1>';
const CSRF_403 = '<h1>This form has expired</h1>';
