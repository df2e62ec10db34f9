/**
 * Anonymous visitors do not fill the sessions table: only a page with a form (it needs a CSRF
 * token) creates a session, and an anonymous session expires within two hours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { csrfFrom, DEMO_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const cookiesOf = (res: request.Response): string[] =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []);
const sidOf = (res: request.Response): string | undefined => {
  const c = cookiesOf(res).find((x) => x.startsWith('portal.sid='));
  const m = /^portal\.sid=s%3A([^.;]+)\./.exec(c ?? '');
  return m ? decodeURIComponent(m[1]!) : undefined;
};
const countRows = async (): Promise<number> =>
  Number(((await t.deps.db('sessions').count('* as n').first()) as { n: string | number }).n);

describe('anonymous sessions', () => {
  it('50 anonymous GETs of a missing page (and of protected pages) create no session row', async () => {
    const before = await countRows();
    for (let i = 0; i < 50; i++) {
      const res = await request(t.app).get(i % 5 === 4 ? '/invoices' : '/nope');
      expect(res.status).toBeGreaterThanOrEqual(300);
      expect(sidOf(res)).toBeUndefined();
    }
    // The suite runs one file at a time (vitest.config.ts): nothing else writes sessions now.
    expect(await countRows()).toBe(before);
  });

  it('GET /login creates one session, expiring within two hours; signing in renews its id', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    expect(page.status).toBe(200);
    const sid = sidOf(page);
    expect(sid).toBeDefined();
    const row = (await t.deps
      .db('sessions')
      .where({ sid })
      .first(t.deps.db.raw('extract(epoch from expire::timestamptz)::float8 as at'))) as { at: number };
    expect(row).toBeDefined();
    // Compared with this process's clock (the one that wrote it), not the database's now().
    expect(row.at * 1000).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    expect(row.at * 1000).toBeGreaterThan(Date.now());

    const signed = await agent
      .post('/login')
      .type('form')
      .send({ email: 'ap@acme.example', password: DEMO_PASSWORD, _csrf: csrfFrom(page.text) });
    expect(signed.status).toBe(303);
    const renewed = sidOf(signed);
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(sid);
    expect(await t.deps.db('sessions').where({ sid }).first()).toBeUndefined();
    expect((await agent.get('/')).status).toBe(200);
  });

  it('a form posted with a stale or missing token still answers the CSRF page, not a 500', async () => {
    const res = await request(t.app).post('/login').type('form').send({ email: 'x@y.z', password: 'x' });
    expect(res.status).toBe(403);
    expect(sidOf(res)).toBeUndefined();
  });
});
