import type { Knex } from 'knex';

/**
 * DESIGN "Payoff quote": a payment or late fee posted after a quote marks it superseded. Marks
 * (persists status 'superseded') every still-`issued` quote of the customer under the label whose
 * contract, after the quote's created_at, got a settled payment allocation (posted when the
 * payment settled) or a `late_fee` invoice line. Run on the read path before quotes are shown.
 */
export async function supersedeStaleQuotes(
  db: Knex,
  s: { customerId: number; labelId: number },
): Promise<number> {
  return db('payoff_quotes as q')
    .where({ 'q.customer_id': s.customerId, 'q.private_label_id': s.labelId, 'q.status': 'issued' })
    .andWhere((w) =>
      w
        .whereExists(
          db('payment_allocations as pa')
            .join('payments as p', 'p.id', 'pa.payment_id')
            .whereRaw(
              'exists (select 1 from invoice_lines il where il.invoice_id = pa.invoice_id and il.contract_id = q.contract_id)',
            )
            .where('p.status', 'settled')
            .whereRaw('greatest(pa.created_at, coalesce(p.settled_at, pa.created_at)) > q.created_at')
            .select(db.raw('1')),
        )
        .orWhereExists(
          db('invoice_lines as il')
            .whereRaw('il.contract_id = q.contract_id')
            .where('il.kind', 'late_fee')
            .whereRaw('il.created_at > q.created_at')
            .select(db.raw('1')),
        ),
    )
    .update({ status: 'superseded' });
}
