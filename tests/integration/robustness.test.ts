import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContract,
  createCustomer,
  createInvoice,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { createAsset } from '../factories/assets.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';
import { listRoutes } from '../helpers/routes.ts';
import { PERMISSIONS } from '../../src/http/types.ts';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startApp();
  b = await startApp();
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe('sessions across instances (QUALITY 20)', () => {
  it('a session made by one instance works on another (sessions live in Postgres)', async () => {
    const { res } = await signIn(a.app, 'ap@acme.example');
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    const onB = await request(b.app).get('/').set('Cookie', cookie);
    expect(onB.status).toBe(200);
    expect(onB.text).toContain('Acme Construction Inc.');
  });
});

const CANARY = '<script>alert("xss")</script>';

describe('bad input never breaks a page (QUALITY 8)', () => {
  it('the sign-in form answers 4xx with escaped output for any input', async () => {
    const agent = request.agent(a.app);
    const token = csrfFrom((await agent.get('/login')).text);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 300 }),
        async (email, password) => {
          const res = await agent
            .post('/login')
            .type('form')
            .send({ email: `${email}${CANARY}`, password, _csrf: token });
          expect([400, 401, 429]).toContain(res.status);
          expect(res.text).not.toContain(CANARY);
          expect(res.text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('query strings of any shape on signed-in pages answer without 5xx or reflected script', async () => {
    const { agent } = await signIn(a.app, 'super@northwind.example');
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 20 }), async (q, page) => {
        const res = await agent
          .get('/customers/switch')
          .query({ q: `${q}${CANARY}`, page, returnTo: `//evil.example/${q}` });
        expect(res.status).toBeLessThan(500);
        expect(res.text).not.toContain(CANARY);
        expect(res.text).not.toContain('value="//evil.example');
      }),
      { numRuns: 40 },
    );
    for (const currency of ['', 'usd', 'EURO', CANARY, '%00']) {
      const res = await agent.get('/').query({ currency });
      expect(res.status).toBeLessThan(500);
    }
  });
});

/**
 * Every form and filter of the route inventory, driven with hostile values as a signed-in
 * portal admin of a customer of its own (every permission, a valid CSRF token): no 5xx, no
 * stack trace, no unescaped script, ever. The forms' field names are read from the pages
 * themselves (every GET of the inventory), so a new field is driven without listing it here.
 */
describe('every form and filter with hostile values (QUALITY 8)', () => {
  /** Routes that end the session or need another person's answer: driven elsewhere. */
  const SKIP = new Set([
    'POST /logout',
    'POST /login',
    'POST /login/two-step',
    'POST /account/two-step/disable',
  ]);
  const GENERIC = ['page', 'q', 'from', 'to', 'status', 'sort', 'contract', 'id', 'amount', 'date', 'name'];
  const HUGE = 'x'.repeat(3_000);
  const EVIL_DATES = [
    '2026-02-30',
    '0000-00-00',
    '9999-99-99',
    '2026-13-45',
    '+275760-09-13',
    '1970-01-01T00:00:00Z',
  ];
  /** One hostile value per field (or a list: the field sent twice, an array where one is expected). */
  const VARIANTS: { name: string; value: (field: string, i: number) => string | string[] }[] = [
    { name: 'invalid dates', value: () => '2026-02-30' },
    { name: 'out-of-range dates', value: (_f, i) => EVIL_DATES[i % EVIL_DATES.length]! },
    {
      name: 'negative, huge and not numbers',
      value: (_f, i) => ['-1', '-0.01', '1e309', '99999999999999999999999', 'NaN', 'Infinity'][i % 6]!,
    },
    {
      name: 'control characters',
      value: (_f, i) => ['a\u0000b', '\u0001', '\u001b[31m', '\u007f', '\u0085'][i % 5]!,
    },
    { name: 'huge strings', value: () => HUGE },
    { name: 'duplicated fields', value: (_f, i) => [String(i), `${i}${CANARY}`] },
    { name: 'script and SQL', value: (_f, i) => (i % 2 ? CANARY : "' OR 1=1; --") },
    { name: 'empty', value: () => '' },
    {
      name: 'odd unicode',
      value: (_f, i) => ['\u202e\ud83d\ude00', '\uffff', '\ufeff', '..%2f..%2f'][i % 4]!,
    },
    { name: 'broken percent-encoding', value: (f) => `${f}=%ED%A0%80&${f}=%E0%A4%A&${f}=%` },
    { name: 'object syntax', value: (f) => `${f}[0]=1&${f}[__proto__]=x` },
  ];

  const FEW = new Set(['invalid dates', 'control characters', 'duplicated fields']);
  let t: TestApp;
  let agent: Agent;
  let token: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = a;
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db, { name: 'Hostile Input Co' });
    const admin = await createUser(db, {
      customer_id: c.id,
      role: 'portal_admin',
      permissions: [...PERMISSIONS],
    });
    const other = await createUser(db, { customer_id: c.id, name: 'Second User' });
    const contract = await createContract(db, { customer_id: c.id, private_label_id: nw });
    const asset = await createAsset(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: contract.id,
    });
    const invoice = await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: contract.id,
      due_date: '2026-11-01',
      total_minor: 100_00,
    } as Parameters<typeof createInvoice>[1]);
    Object.assign(ids, {
      '/admin/users': other.id,
      '/contracts': contract.id,
      '/assets': asset.id,
      '/invoices': (invoice as { id: number }).id,
    });
    ({ agent } = await signIn(t.app, admin.email, FACTORY_PASSWORD));
    token = csrfFrom((await agent.get('/account')).text);
  });

  /** A route's path with real ids of the customer where there are some (1 elsewhere: a 404). */
  const concrete = (path: string): string => {
    const prefix = Object.keys(ids).find((p) => path.startsWith(`${p}/:`));
    return path.replace(
      /:[a-zA-Z]+(\.[a-z]+)?/g,
      (_m, ext: string | undefined) => `${prefix ? ids[prefix] : 1}${ext ?? ''}`,
    );
  };

  const encode = (fields: string[], variant: (typeof VARIANTS)[number]): string =>
    fields
      .flatMap((f, i) => {
        const v = variant.value(f, i);
        if (variant.name === 'object syntax' || variant.name === 'broken percent-encoding')
          return [v as string];
        return ([] as string[]).concat(v).map((x) => `${encodeURIComponent(f)}=${encodeURIComponent(x)}`);
      })
      .join('&');

  const expectSane = (res: request.Response, what: string): void => {
    expect(res.status, what).toBeLessThan(500);
    expect(res.text ?? '', what).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(res.text ?? '', what).not.toContain(CANARY);
  };

  it(
    'answers every route, GET and POST, with hostile values without a 5xx',
    { timeout: 120_000 },
    async () => {
      const started = Date.now();
      const routes = listRoutes(t.app).filter((r) => !SKIP.has(r));
      // Each page's forms: action -> field names (hidden ones and _csrf aside).
      const forms = new Map<string, Set<string>>();
      for (const route of routes.filter((r) => r.startsWith('GET '))) {
        const res = await agent.get(concrete(route.slice(4)));
        expectSane(res, route);
        for (const form of (res.text ?? '').matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
          const action = /action="([^"?#]*)/.exec(form[1]!)?.[1] ?? concrete(route.slice(4));
          const names = forms.get(action) ?? new Set<string>();
          for (const m of form[2]!.matchAll(/name="([^"]+)"/g)) if (m[1] !== '_csrf') names.add(m[1]!);
          forms.set(action, names);
        }
      }
      expect(forms.size).toBeGreaterThan(10);
      let sent = 0;
      for (const route of routes) {
        const [method, path] = route.split(' ') as [string, string];
        const url = concrete(path);
        const own = forms.get(url);
        const fields = [...new Set([...(own ?? []), ...GENERIC])];
        // A page without a filter form of its own (a detail page, a PDF) gets a few variants.
        const variants = method === 'POST' || own ? VARIANTS : VARIANTS.filter((v) => FEW.has(v.name));
        for (const variant of variants) {
          const what = `${route} (${variant.name})`;
          const body = encode(fields, variant);
          const res =
            method === 'GET'
              ? await agent.get(`${url}?${body}`)
              : await agent
                  .post(url)
                  .type('form')
                  .send(`${body}&_csrf=${encodeURIComponent(token)}`);
          expectSane(res, what);
          sent++;
        }
      }
      // The session survived all of it.
      expect((await agent.get('/account')).status).toBe(200);
      expect(sent).toBeGreaterThan(600);
      console.info(`hostile input: ${sent} requests, ${forms.size} forms, ${Date.now() - started} ms`);
      expect(Date.now() - started).toBeLessThan(90_000);
    },
  );

  it('fast-check: arbitrary strings in the filters of the lists', async () => {
    const lists = [
      '/invoices',
      '/payments',
      '/contracts',
      '/assets',
      '/service-requests',
      '/payoff-quotes',
      '/admin/audit',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        fc.dictionary(fc.constantFrom(...GENERIC, 'category', 'city', 'type'), fc.string({ maxLength: 60 }), {
          maxKeys: 5,
        }),
        async (path, query) => {
          const res = await agent.get(path).query(query);
          expectSane(res, `${path} ${JSON.stringify(query)}`);
        },
      ),
      { numRuns: 60, seed: 20261116 },
    );
  });
});
