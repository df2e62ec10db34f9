import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signIn, startApp, type TestApp } from '../helpers/app.ts';

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
