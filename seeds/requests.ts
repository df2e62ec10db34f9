/** Payoff quotes for the demo data, priced with the same formula the portal uses (see schedule.ts). */
import { addDays } from '../src/lib/clock.ts';
import { ts, pctText, type ContractRec, type DemoBuilder } from './builder.ts';
import { quoteNumber } from '../src/modules/payoff-quotes/payoff.calc.ts';
import { payoff, periodicRate } from './schedule.ts';

const END_AMOUNT: Record<string, string> = {
  fmv: 'Booked fair market value residual',
  one_dollar_buyout: '$1 purchase option',
  trac: 'TRAC amount',
  loan: 'Balloon',
};

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
  const validUntil = nextDue < limit ? nextDue : limit;
  const payoffDate = validUntil;
  const unpaid = c.invoices.filter((i) => i.due <= o.quoteDate && i.plan !== 'paid');
  const arrears = unpaid.reduce(
    (s, i) => s + (typeof i.plan === 'object' ? i.total - i.plan.partial : i.total),
    0,
  );
  const between = c.lines.filter((l) => l.due > o.quoteDate && l.due <= payoffDate);
  const remaining = c.lines.filter((l) => l.due > payoffDate);
  const rate = c.label.discountRate ?? c.rate;
  const f = payoff({
    arrears,
    rents: remaining.map((l) => l.rent),
    endAmount: c.residual,
    i: periodicRate(rate, c.frequency),
    inAdvance: c.inAdvance,
    fees: c.label.payoffFeeMinor,
    taxRate: c.taxRate,
    deposit: c.deposit,
  });
  const lines = [
    { code: 'arrears', label: 'Billed but unpaid rents, late fees and charges', amountMinor: f.arrears },
    ...between.map((l) => ({
      code: 'rent_due',
      label: `Rent ${l.seq} due ${l.due}, with tax`,
      amountMinor: l.rent + l.tax,
    })),
    {
      code: 'remaining_rents',
      label: `${remaining.length} remaining rents discounted at ${pctText(rate)} a year`,
      amountMinor: f.rentsPv,
    },
    { code: 'end_amount', label: END_AMOUNT[c.product] ?? 'End-of-lease amount', amountMinor: f.endAmountPv },
    { code: 'fees', label: 'Payoff and lien-release fee', amountMinor: f.fees },
    { code: 'tax', label: `Sales tax ${pctText(c.taxRate)} on the purchase`, amountMinor: f.tax },
    { code: 'deposit', label: 'Security deposit applied', amountMinor: -f.deposit },
  ];
  const total = f.total + between.reduce((s, l) => s + l.rent + l.tax, 0);
  const id = b.add('payoff_quotes', {
    customer_id: c.customer.id,
    private_label_id: c.label.id,
    contract_id: c.id,
    requested_by: o.requestedBy,
    quote_date: o.quoteDate,
    payoff_date: payoffDate,
    valid_until: validUntil,
    scope: 'contract',
    asset_ids: [],
    inputs: JSON.stringify({
      discountRate: rate,
      discountSource: c.label.discountRate ? 'label' : 'contract',
      frequency: c.frequency,
      paymentsInAdvance: c.inAdvance,
      remainingRents: remaining.length,
      rentMinor: c.row.periodic_rent_minor,
      endAmountMinor: c.residual,
      feeMinor: c.label.payoffFeeMinor,
      taxRate: c.taxRate,
      depositMinor: c.deposit,
    }),
    breakdown: JSON.stringify({ currency: c.currency, lines, totalMinor: total }),
    total_minor: total,
    currency: c.currency,
    status: o.status,
    created_at: ts(o.quoteDate, 15, 45),
  });
  // The portal's format (payoff-quotes.service.ts): PQ-<year quoted>-<id>.
  b.rows.payoff_quotes.at(-1)!.number = quoteNumber(o.quoteDate, id);
  return id;
}
