/** Payoff quotes for the demo data, priced by the portal's own computeQuote (payoff.calc.ts). */
import { addDays } from '../src/lib/clock.ts';
import { ts, type ContractRec, type DemoBuilder } from './builder.ts';
import { computeQuote, quoteNumber } from '../src/modules/payoff-quotes/payoff.calc.ts';

export function addPayoffQuote(
  b: DemoBuilder,
  o: {
    contract: ContractRec;
    requestedBy: number;
    quoteDate: string;
    status: 'in_review' | 'issued' | 'expired';
  },
): number {
  const c = o.contract;
  const nextDue = c.lines.find((l) => l.due > o.quoteDate)?.due ?? addDays(o.quoteDate, 30);
  const limit = addDays(o.quoteDate, 30);
  const payoffDate = nextDue < limit ? nextDue : limit;
  // As the portal saw it on the quote date: invoices go out 30 days before they fall due
  // (builder.ts); one billed by then and not yet paid is in the arrears (a paid one was paid on
  // its due date), with its late fee and less any part payment.
  const billedBy = addDays(o.quoteDate, 30);
  const arrears = c.invoices
    .filter((i) => i.due <= billedBy && !(i.plan === 'paid' && i.due <= o.quoteDate))
    .reduce((s, i) => s + (typeof i.plan === 'object' ? i.total - i.plan.partial : i.total), 0);
  const q = computeQuote({
    contract: {
      product: c.product,
      frequency: c.frequency,
      inAdvance: c.inAdvance,
      startDate: String(c.row.start_date),
      endDate: String(c.row.end_date),
      rate: c.rate,
      residual: c.residual,
      financed: c.financed,
      taxRate: c.taxRate,
      deposit: c.deposit,
      currency: c.currency,
    },
    label: {
      validityDays: 30,
      discountMode: c.label.discountRate ? 'label' : 'contract',
      discountRate: c.label.discountRate,
      feeMinor: c.label.payoffFeeMinor,
    },
    schedule: c.lines.map((l) => ({
      seq: l.seq,
      due: l.due,
      rent: l.rent,
      tax: l.tax,
      balanceAfter: l.balanceAfter,
      billed: l.due <= billedBy && l.row.invoice_id !== null,
    })),
    arrears,
    quoteDate: o.quoteDate,
    payoffDate,
    share: null,
  });
  const id = b.add('payoff_quotes', {
    customer_id: c.customer.id,
    private_label_id: c.label.id,
    contract_id: c.id,
    requested_by: o.requestedBy,
    quote_date: o.quoteDate,
    payoff_date: payoffDate,
    valid_until: q.validUntil,
    scope: 'contract',
    asset_ids: [],
    inputs: JSON.stringify(q.inputs),
    breakdown: JSON.stringify(q.breakdown),
    total_minor: q.breakdown.totalMinor,
    currency: c.currency,
    status: o.status,
    created_at: ts(o.quoteDate, 15, 45),
  });
  // The portal's format (payoff-quotes.service.ts): PQ-<year quoted>-<id>.
  b.rows.payoff_quotes.at(-1)!.number = quoteNumber(o.quoteDate, id);
  return id;
}
