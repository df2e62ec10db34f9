/**
 * The sandbox gateway keeps its charges in the database (gateway_charges): the same idempotency
 * key is one charge across gateway instances and processes, so the worker's retry after a crash
 * does not charge again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChargeStore } from '../../src/modules/gateway/sandbox.charges.ts';
import { createSandboxGateway } from '../../src/modules/gateway/sandbox.gateway.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { balances, createPayer } from './payments-fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

/** A second gateway instance over the same database, as another process would build it. */
const otherInstance = () =>
  createSandboxGateway({
    secret: t.deps.config.sessionSecret,
    achSettlementDelayMinutes: 0,
    charges: databaseChargeStore(t.deps.db, () => t.clock.now()),
  });

describe('sandbox gateway charges', () => {
  it('two gateway instances over one database, same key → one charge, even at once', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const a = otherInstance();
    const b = otherInstance();
    const req = {
      token: 'tok_sbx_card_ok_0123456789abcdef',
      amountMinor: 123_45,
      currency: 'USD',
      idempotencyKey: key,
    };
    const first = await a.charge(req);
    expect(first.status).toBe('settled');
    expect(await b.charge(req)).toEqual(first);
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).charge(req)));
    for (const r of burst) expect(r).toEqual(first);
    expect(await t.deps.db('gateway_charges').where({ idempotency_key: key }).count('* as n')).toEqual([
      { n: 1 },
    ]);
    // A third instance (a new process) sees the one charge and every call that carried its key.
    expect(await otherInstance().charged(key)).toEqual({ count: 12, amountMinor: 123_45, result: first });

    // Ten keys charged at once from two instances: ten charges, none lost.
    const keys = Array.from({ length: 10 }, () => `test:${crypto.randomUUID()}`);
    await Promise.all(keys.flatMap((k) => [a, b].map((g) => g.charge({ ...req, idempotencyKey: k }))));
    expect(await t.deps.db('gateway_charges').whereIn('idempotency_key', keys).count('* as n')).toEqual([
      { n: 10 },
    ]);
  });

  it('the worker’s retry after a crash (charged, result not recorded) is not a second charge', async () => {
    const p = await createPayer(t);
    const [i1] = p.invoices;
    const key = crypto.randomUUID();
    const actor = { customerId: p.customerId, labelId: p.labelId, userId: p.userId };
    const { id } = await t.deps.payments.create(
      actor,
      {
        methodId: p.card,
        payDate: '2026-11-16',
        allocations: [{ invoiceId: i1!.id, amountMinor: 250_00 }],
        currency: 'USD',
        totalMinor: 250_00,
      },
      key,
      '2026-11-16',
    );
    // The process that created it charged the gateway, then died before recording the result.
    const token = (await t.deps.db('payment_methods').where({ id: p.card }).first('gateway_token'))
      .gateway_token as string;
    const charged = await otherInstance().charge({
      token,
      amountMinor: 250_00,
      currency: 'USD',
      idempotencyKey: key,
    });
    expect(charged.status).toBe('settled');
    expect((await t.deps.db('payments').where({ id }).first('status')).status).toBe('pending');
    // The worker (another process, its own gateway instance) retries the stale pending payment.
    await t.deps.payments.runDue(new Date(t.clock.now().getTime() + 2 * 60_000));
    expect(await t.deps.db('payments').where({ id }).first('status', 'gateway_reference')).toEqual({
      status: 'settled',
      gateway_reference: charged.reference,
    });
    expect(await t.deps.sandboxGateway.charged(key)).toMatchObject({ count: 2, amountMinor: 250_00 });
    expect(await t.deps.db('gateway_charges').where({ idempotency_key: key }).count('* as n')).toEqual([
      { n: 1 },
    ]);
    expect(await balances(t.deps.db, [i1!.id])).toEqual({
      [i1!.id]: { balance: 750_00, status: 'partially_paid' },
    });
  });
});
