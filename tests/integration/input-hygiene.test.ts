/**
 * Control characters in form and query fields are refused in one place (src/http/input-hygiene.ts)
 * with a 400 and the error summary; a session never holds what would make it unreadable, and a
 * corrupt session row reads as no session (a fresh one), never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { PgSessionStore } from '../../src/http/session.ts';
import { createContract, createCustomer, createUser, FACTORY_PASSWORD, labelId } from '../factories/index.ts';
import { createAsset } from '../factories/assets.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let assetId: number;

const NEW = '/assets/location-change/new';

const answers = (o: Record<string, string> = {}): Record<string, string> => ({
  asset: String(assetId),
  country: 'US',
  shownCountry: 'US',
  addressLine1: '8800 Ambassador Row',
  addressLine2: '',
  city: 'Dallas',
  region: 'TX',
  postalCode: '75247',
  effectiveDate: '2026-12-01',
  contactName: 'Luis Ortega',
  contactPhone: '(713) 555-0188',
  contactEmail: 'luis@quarry.example',
  reason: 'New distribution yard',
  action: 'continue',
  ...o,
});

/** Posts the location-change form with a fresh token; the body is sent as it is (already encoded). */
async function postRaw(a: Agent, from: string, to: string, encoded: string) {
  const token = csrfFrom((await a.get(from)).text);
  return a
    .post(to)
    .type('form')
    .send(`${encoded}&_csrf=${encodeURIComponent(token)}`);
}
const encode = (o: Record<string, string>): string => new URLSearchParams(o).toString();

const NO_STACK = /\n\s+at .+\(.+:\d+:\d+\)/;

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  const nw = await labelId(db, 'northwind');
  const customer = await createCustomer(db, { name: 'Hygiene Works' });
  const user = await createUser(db, {
    customer_id: customer.id,
    permissions: ['assets.view', 'assets.request_location_change', 'invoices.view'],
  });
  const contract = await createContract(db, { customer_id: customer.id, private_label_id: nw });
  assetId = (
    await createAsset(db, { customer_id: customer.id, private_label_id: nw, contract_id: contract.id })
  ).id;
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});
afterAll(async () => {
  await t?.close();
});

describe('control characters in form and query fields', () => {
  it('a NUL in a location-change field answers 400 with the error summary, and the session keeps working', async () => {
    const res = await postRaw(agent, NEW, NEW, encode(answers()).replace('Ambassador', 'abc%00def'));
    expect(res.status).toBe(400);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain('href="#addressLine1"');
    expect(res.text).not.toMatch(NO_STACK);
    // The draft was not stored: the same cookie still reads its pages.
    for (const path of ['/', NEW, '/assets/location-change/review', '/assets']) {
      const next = await agent.get(path);
      expect(next.status, path).toBeLessThan(500);
    }
    // And the form still goes through with clean input.
    const ok = await postRaw(agent, NEW, NEW, encode(answers()));
    expect(ok.status).toBe(303);
  });

  it('refuses other control characters in single-line fields, and line breaks outside textareas', async () => {
    for (const bad of ['a%01b', 'a%1Bb', 'a%7Fb', 'a%C2%85b', 'a%0Ab', 'a%0D%0Ab', 'a%09b']) {
      const res = await postRaw(agent, NEW, NEW, encode(answers()).replace('Dallas', bad));
      expect(res.status, bad).toBe(400);
      expect(res.text, bad).toContain('href="#city"');
    }
  });

  it('accepts tab and line breaks in a textarea, but not a NUL', async () => {
    const ok = await postRaw(
      agent,
      NEW,
      NEW,
      encode(answers()).replace('New+distribution+yard', 'Line%0D%0Aanother%09line'),
    );
    expect(ok.status).toBe(303);
    const bad = await postRaw(agent, NEW, NEW, encode(answers()).replace('New+distribution', 'New%00'));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#reason"');
  });

  it('refuses control characters in field names and in query strings (400, error summary)', async () => {
    const key = await postRaw(agent, NEW, NEW, `${encode(answers())}&bad%00name=x`);
    expect(key.status).toBe(400);
    for (const q of ['q=a%00b', 'from=2026%0A-11-01', 'status=open%01', 'x%00=1', 'q=a&q=b%00']) {
      const res = await agent.get(`/invoices?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.text, q).toContain('error-summary');
      expect(res.text, q).not.toMatch(NO_STACK);
    }
    // Anonymous pages too, without creating a session.
    const anon = await request(t.app).get('/login?returnTo=%2F%00');
    expect(anon.status).toBe(400);
    expect(anon.text).toContain('error-summary');
  });
});

describe('the session store', () => {
  it('never stores what it could not read back: a NUL in a session value is dropped', async () => {
    const store = new PgSessionStore(
      t.deps.db,
      async (sid, nowMs) => {
        const found = await t.deps.auth.sessionWithUser(sid, nowMs);
        return found && { sess: found.sess, attachment: found.read };
      },
      60_000,
    );
    const sid = `hygiene-${Math.random().toString(36).slice(2)}`;
    const cookie = { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) };
    await new Promise<void>((resolve, reject) =>
      store.set(
        sid,
        { cookie, draft: 'abc\u0000def', ['k\u0000ey']: 1, back: 'a\\u0000b' } as never,
        (err) => (err ? reject(err as Error) : resolve()),
      ),
    );
    const read = await new Promise<Record<string, unknown> | null | undefined>((resolve, reject) =>
      store.get(sid, (err, s) => (err ? reject(err as Error) : resolve(s as never))),
    );
    expect(read).toMatchObject({ draft: 'abcdef', key: 1, back: 'a\\u0000b' });
  });

  it('a corrupt session row reads as a fresh session, not a 500', async () => {
    const { agent: a, res } = await signIn(t.app, 'ap@acme.example');
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('portal.sid='));
    const sid = decodeURIComponent(/^portal\.sid=s%3A([^.;]+)\./.exec(cookie ?? '')![1]!);
    expect((await a.get('/')).status).toBe(200);
    // What a NUL stored before this fix looks like: valid json text that no json operator reads.
    await t.deps
      .db('sessions')
      .where({ sid })
      .update({
        sess: t.deps.db.raw(`replace(sess::text, '"cookie"', '"draft":"a\\u0000b","cookie"')::json`),
      });
    const row = (await t.deps.db('sessions').where({ sid }).first(t.deps.db.raw('sess::text as s'))) as {
      s: string;
    };
    expect(row.s).toContain('\\u0000');
    const home = await a.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toMatch(/^\/login/);
    const login = await a.get('/login');
    expect(login.status).toBe(200);
    expect(login.text).toContain('name="_csrf"');
  });
});
