/**
 * Writes an issued quote (a payoff or a principal paydown) with its number, audit row and Home
 * activity, in the caller's transaction. The id is drawn first so the number is written with the
 * row (no placeholder number).
 */
import type { Knex } from 'knex';
import type { Scope } from '../../http/types.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { quoteNumber } from './payoff.calc.ts';

export interface IssuedQuote {
  contractId: number;
  payoffDate: string;
  validUntil: string;
  scope: 'contract' | 'assets';
  assetIds: number[];
  inputs: unknown;
  breakdown: { totalMinor: number };
  currency: string;
}

export async function issueQuote(
  d: { audit: AuditRepository; activities: ActivitiesRepository },
  trx: Knex.Transaction,
  scope: Scope,
  ctx: { ip: string | null; requestId: string | null },
  q: IssuedQuote,
  words: (number: string) => { audit: Record<string, unknown>; subject: string },
): Promise<number> {
  const next = (await trx.raw(
    "select nextval(pg_get_serial_sequence('payoff_quotes', 'id'))::int as id",
  )) as {
    rows: { id: number }[];
  };
  const id = next.rows[0]!.id;
  const number = quoteNumber(scope.today, id);
  await trx('payoff_quotes').insert({
    id,
    number,
    customer_id: scope.customerId,
    private_label_id: scope.labelId,
    contract_id: q.contractId,
    requested_by: scope.user.id,
    quote_date: scope.today,
    payoff_date: q.payoffDate,
    valid_until: q.validUntil,
    scope: q.scope,
    asset_ids: q.assetIds,
    inputs: JSON.stringify(q.inputs),
    breakdown: JSON.stringify(q.breakdown),
    total_minor: q.breakdown.totalMinor,
    currency: q.currency,
    status: 'issued',
  });
  const w = words(number);
  await d.audit.record(
    {
      actorUserId: scope.user.id,
      actingCustomerId: scope.customerId,
      action: 'payoff_quote.issued',
      entityType: 'payoff_quote',
      entityId: id,
      after: { number, contractId: q.contractId, ...w.audit },
      ip: ctx.ip,
      requestId: ctx.requestId,
    },
    trx,
  );
  await d.activities.add(
    {
      customerId: scope.customerId,
      labelId: scope.labelId,
      actorUserId: scope.user.id,
      kind: 'payoff_quote.requested',
      subject: w.subject,
      link: `/payoff-quotes/${id}`,
    },
    trx,
  );
  return id;
}
