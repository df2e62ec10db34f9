/**
 * Where the sandbox gateway keeps its charges: the `gateway_charges` table, one row per
 * idempotency key. A real gateway keeps its idempotency keys on its own servers; the sandbox runs
 * inside the portal's processes, so it keeps them in the database those processes share: a retry
 * from another process (the worker after a crash) finds the first charge instead of charging again.
 */
import type { Knex } from 'knex';
import type { ChargeRequest, ChargeResult } from './gateway.ts';

export interface SandboxCharge {
  /** How many charge() calls carried this key (1 = charged once, never retried). */
  count: number;
  amountMinor: number;
  result: ChargeResult;
}

export interface ChargeStore {
  /**
   * Records `result` as the charge for the request's key unless the key already has one, and
   * answers the charge the key has (the first one). Atomic across processes.
   */
  once(req: ChargeRequest, result: ChargeResult): Promise<ChargeResult>;
  find(idempotencyKey: string): Promise<SandboxCharge | undefined>;
}

interface Row {
  status: ChargeResult['status'];
  reference: string | null;
  reason: string | null;
  calls: number;
  amount_minor: number | string;
}

function resultOf(r: Row): ChargeResult {
  if (r.status === 'settled' || r.status === 'in_progress')
    return { status: r.status, reference: r.reference ?? '' };
  return { status: r.status, reference: r.reference, reason: r.reason ?? '' };
}

/** The charges in `gateway_charges`; `now` is the clock's (src/lib/clock.ts). */
export function databaseChargeStore(db: Knex, now: () => Date): ChargeStore {
  return {
    async once(req, result) {
      const at = now();
      // One statement: the unique key decides, so concurrent calls from any process agree.
      const rows = (await db('gateway_charges')
        .insert({
          idempotency_key: req.idempotencyKey,
          amount_minor: req.amountMinor,
          currency: req.currency,
          status: result.status,
          reference: result.reference,
          reason: 'reason' in result ? result.reason : null,
          created_at: at,
          last_call_at: at,
        })
        .onConflict('idempotency_key')
        .merge({ calls: db.raw('gateway_charges.calls + 1'), last_call_at: at })
        .returning(['status', 'reference', 'reason', 'calls', 'amount_minor'])) as Row[];
      return resultOf(rows[0]!);
    },
    async find(idempotencyKey) {
      const r = (await db('gateway_charges')
        .where({ idempotency_key: idempotencyKey })
        .first('status', 'reference', 'reason', 'calls', 'amount_minor')) as Row | undefined;
      return r && { count: r.calls, amountMinor: Number(r.amount_minor), result: resultOf(r) };
    },
  };
}
