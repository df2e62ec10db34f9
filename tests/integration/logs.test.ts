import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, signIn, startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

describe('logs', () => {
  it('record sign-ins, failures and denials as structured events without passwords or session ids', async () => {
    const secret = 'My-Very-Secret-Passw0rd!';
    await signIn(t.app, 'ap@acme.example', secret);
    const { agent, res } = await signIn(t.app, 'viewer@acme.example', DEMO_PASSWORD);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';');
    const sid = /portal\.sid=([^;]+)/.exec(cookie)![1]!;
    await agent.get('/customers/switch'); // a denial
    const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.event === 'sign_in_failed')).toBe(true);
    expect(lines.some((l) => l.event === 'sign_in')).toBe(true);
    expect(lines.some((l) => l.event === 'access_denied' && typeof l.requestId === 'string')).toBe(true);
    const all = t.logs.join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(DEMO_PASSWORD);
    expect(all).not.toContain(decodeURIComponent(sid).slice(2, 34));
    expect(all).not.toMatch(/_csrf/);
  });
});
