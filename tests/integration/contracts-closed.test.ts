/**
 * A paid-off or terminated contract owes nothing more: no next payment, no remaining balance of
 * unbilled periods, and no schedule line left "Scheduled" — checked on every such contract of the
 * demo book, for each demo customer that has one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startApp, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

const text = pageText;

describe('closed contracts', () => {
  it('show no next payment, no remaining balance and no scheduled line', async () => {
    let checked = 0;
    for (const [email, host] of [
      ['admin@acme.example', undefined],
      ['admin@birch.example', undefined],
      ['admin@mapleharvest.example', 'maple.localhost'],
    ] as const) {
      const user = (await t.deps.db('users').where({ email }).first('customer_id')) as {
        customer_id: number;
      };
      const closed = (await t.deps
        .db('contracts as c')
        .join('private_labels as l', 'l.id', 'c.private_label_id')
        .where({ 'c.customer_id': user.customer_id })
        .whereIn('c.status', ['paid_off', 'terminated'])
        .whereRaw('? = any(l.hosts)', [host ?? '127.0.0.1'])
        .select('c.id', 'c.number')) as { id: number; number: string }[];
      const { agent } = await signIn(t.app, email, undefined, host);
      for (const c of closed) {
        const page = text((await agent.get(`/contracts/${c.id}`)).text);
        expect(page, c.number).toContain('Next payment None scheduled');
        expect(page, c.number).toMatch(/Remaining balance \D?0\.00/);
        const schedule = await agent.get(`/contracts/${c.id}/schedule`);
        expect(schedule.status).toBe(200);
        expect(schedule.text, c.number).not.toMatch(/>Scheduled</);
        checked++;
      }
    }
    // The demo book has closed contracts (e.g. Acme's NW-2024-00007, paid off): the rule was tried.
    expect(checked).toBeGreaterThan(0);
  });
});
