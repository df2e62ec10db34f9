import type { Knex } from 'knex';

/**
 * docs/domain.md "Payoff quote": a payment or late fee posted after a quote marks it superseded. The
 * status is worked out when a quote is read, never written on the way (a GET changes nothing): an
 * `issued` quote shows as `superseded` when its contract, after the quote's created_at, got a
 * settled payment allocation (posted when the payment settled) or a `late_fee` invoice line.
 *
 * `alias` names the payoff_quotes row in the caller's query (a fixed identifier, never input).
 * The answer is a column `status`; the rows it reads (invoice lines, allocations, payments) move
 * the customer's data version, so a page kept per version shows a later supersession at once.
 */
export function quoteStatusColumn(db: Knex, alias: string): Knex.Raw {
  if (!/^[a-z_]+$/.test(alias)) throw new Error(`not an alias: ${alias}`);
  const q = alias;
  return db.raw(`case when ${q}.status = 'issued' and (
      exists (select 1 from payment_allocations pa join payments p on p.id = pa.payment_id
               where p.status = 'settled'
                 and exists (select 1 from invoice_lines il
                              where il.invoice_id = pa.invoice_id and il.contract_id = ${q}.contract_id)
                 and greatest(pa.created_at, coalesce(p.settled_at, pa.created_at)) > ${q}.created_at)
      or exists (select 1 from invoice_lines il
                  where il.contract_id = ${q}.contract_id and il.kind = 'late_fee'
                    and il.created_at > ${q}.created_at))
    then 'superseded' else ${q}.status end as status`);
}
