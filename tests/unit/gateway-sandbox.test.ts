import { describe, expect, it } from 'vitest';
import { abaOk } from '../../src/modules/gateway/gateway.routes.ts';
import type { ChargeResult } from '../../src/modules/gateway/gateway.ts';
import type { ChargeStore, SandboxCharge } from '../../src/modules/gateway/sandbox.charges.ts';
import { cardBrand, createSandboxGateway, luhnOk } from '../../src/modules/gateway/sandbox.gateway.ts';

/** The store's contract without a database (the real one, in gateway_charges, is tested in integration). */
function memoryStore(): ChargeStore {
  const m = new Map<string, SandboxCharge>();
  return {
    once(req, result: ChargeResult) {
      const seen = m.get(req.idempotencyKey);
      if (seen) seen.count++;
      else m.set(req.idempotencyKey, { count: 1, amountMinor: req.amountMinor, result });
      return Promise.resolve(m.get(req.idempotencyKey)!.result);
    },
    find: (key) => Promise.resolve(m.get(key)),
  };
}
const gw = () =>
  createSandboxGateway({ secret: 'x'.repeat(32), achSettlementDelayMinutes: 10, charges: memoryStore() });
const card = {
  kind: 'card' as const,
  brand: 'Visa',
  last4: '4242',
  expMonth: 12,
  expYear: 2030,
  bankName: null,
  accountHolder: 'A',
};

describe('sandbox gateway', () => {
  it('checks card and routing numbers', () => {
    expect(luhnOk('4242424242424242')).toBe(true);
    expect(luhnOk('4242424242424241')).toBe(false);
    expect(cardBrand('5555555555554444')).toBe('Mastercard');
    expect(abaOk('110000000')).toBe(true);
    expect(abaOk('110000001')).toBe(false);
  });

  it('a reference verifies only untouched and with its own state', () => {
    const g = gw();
    const ref = g.tokenise(card, 'approve', 'state-1');
    expect(g.retrieve(ref, 'state-1')).toMatchObject({
      last4: '4242',
      token: expect.stringMatching(/^tok_sbx_card_ok_/),
    });
    expect(g.retrieve(ref, 'state-2')).toBeUndefined();
    expect(g.retrieve(`${ref}x`, 'state-1')).toBeUndefined();
    expect(gw().retrieve(ref.replace(/^./, 'A'), 'state-1')).toBeUndefined();
  });

  it('charges by outcome; one key is one charge', async () => {
    const g = gw();
    const tok = (outcome: 'approve' | 'decline' | 'nsf' | 'ach_return', kind: 'card' | 'ach' = 'card') =>
      g.retrieve(g.tokenise({ ...card, kind }, outcome, 's'), 's')!.token;
    const ok = await g.charge({
      token: tok('approve'),
      amountMinor: 100,
      currency: 'USD',
      idempotencyKey: 'k1',
    });
    expect(ok.status).toBe('settled');
    expect(
      await g.charge({ token: tok('approve'), amountMinor: 100, currency: 'USD', idempotencyKey: 'k1' }),
    ).toEqual(ok);
    expect((await g.charged('k1'))!.count).toBe(2);
    expect(
      (await g.charge({ token: tok('decline'), amountMinor: 1, currency: 'USD', idempotencyKey: 'k2' }))
        .status,
    ).toBe('declined');
    expect(
      await g.charge({ token: tok('nsf'), amountMinor: 1, currency: 'USD', idempotencyKey: 'k3' }),
    ).toMatchObject({ status: 'declined', reason: 'Card declined: insufficient funds' });
    const ach = await g.charge({
      token: tok('approve', 'ach'),
      amountMinor: 1,
      currency: 'USD',
      idempotencyKey: 'k4',
    });
    expect(ach.status).toBe('in_progress');
    const t0 = new Date('2026-11-16T12:00:00Z');
    expect(await g.settlement(ach.reference!, t0, new Date(t0.getTime() + 9 * 60_000))).toEqual({
      status: 'pending',
    });
    expect(await g.settlement(ach.reference!, t0, new Date(t0.getTime() + 10 * 60_000))).toEqual({
      status: 'settled',
    });
    const ret = await g.charge({
      token: tok('ach_return', 'ach'),
      amountMinor: 1,
      currency: 'USD',
      idempotencyKey: 'k5',
    });
    expect((await g.settlement(ret.reference!, t0, new Date(t0.getTime() + 11 * 60_000))).status).toBe(
      'failed',
    );
  });
});

describe('sandbox gateway and the demo data', () => {
  it('approves the demo data’s older `tok_sandbox_…` tokens (cards settle, ACH in progress)', async () => {
    const g = gw();
    expect(
      (
        await g.charge({
          token: 'tok_sandbox_card_abcdefabcdefabcd',
          amountMinor: 1,
          currency: 'USD',
          idempotencyKey: 'd1',
        })
      ).status,
    ).toBe('settled');
    expect(
      (
        await g.charge({
          token: 'tok_sandbox_ach_abcdefabcdefabcd',
          amountMinor: 1,
          currency: 'USD',
          idempotencyKey: 'd2',
        })
      ).status,
    ).toBe('in_progress');
    expect(
      (await g.charge({ token: 'tok_other', amountMinor: 1, currency: 'USD', idempotencyKey: 'd3' })).status,
    ).toBe('failed');
  });
});
