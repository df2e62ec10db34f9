/**
 * Pure payoff arithmetic, shared by the portal and the demo seed (seeds/schedule.ts re-exports it).
 * Money is integer minor units; a float appears only inside a discount factor and is rounded
 * once, half away from zero, to a whole minor unit.
 *
 * Payoff = A + Σ Rₖ/(1+i)^(k−δ) + E/(1+i)ⁿ + F + T − C   (docs/domain.md, "Payoff quote").
 */
import { addMonths, daysBetween } from '../../lib/clock.ts';

export type Frequency = 'monthly' | 'quarterly' | 'semiannual' | 'annual';
export type Product = 'fmv' | 'one_dollar_buyout' | 'trac' | 'loan';

export const MONTHS_PER_PERIOD: Record<Frequency, number> = {
  monthly: 1,
  quarterly: 3,
  semiannual: 6,
  annual: 12,
};

/** Periodic rate from an annual rate given as a decimal string ('0.080000'). */
export function periodicRate(annualRate: string, frequency: Frequency): number {
  return (Number(annualRate) * MONTHS_PER_PERIOD[frequency]) / 12;
}

/** Rounds half away from zero. */
export function roundHalfUp(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** minor × rate (a decimal string such as '0.06250'), rounded half-up to a minor unit, exactly. */
export function applyRate(minor: number, rate: string): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) throw new RangeError(`bad rate: ${rate}`);
  const frac = m[2] ?? '';
  const num = BigInt(minor) * BigInt((m[1] ?? '0') + frac);
  const den = 10n ** BigInt(frac.length);
  const neg = num < 0n;
  const abs = neg ? -num : num;
  const q = (abs * 2n + den) / (2n * den);
  return Number(neg ? -q : q);
}

export interface PayoffInput {
  /** Billed but unpaid rents, late fees and charges at the payoff date. */
  arrears: number;
  /** Remaining unbilled rents, next one first. */
  rents: number[];
  /** End-of-lease amount (purchase option, residual, TRAC amount, $1). */
  endAmount: number;
  /** Discount rate per period; 0 for none. */
  i: number;
  inAdvance: boolean;
  fees: number;
  taxRate: string;
  deposit: number;
  /**
   * Periods from the payoff date to each rent (fractional between rent dates). Absent: the
   * textbook k − δ, for a payoff date on which the first of `rents` falls due.
   */
  exponents?: number[];
  /** Periods from the payoff date to the end amount. Absent: n. */
  endExponent?: number;
}

export interface PayoffFigures {
  arrears: number;
  rentsPv: number;
  endAmountPv: number;
  fees: number;
  tax: number;
  deposit: number;
  total: number;
}

/** Payoff = A + Σ Rₖ/(1+i)^(k−δ) + E/(1+i)ⁿ + F + T − C, with T on the purchase (rents + E). */
export function payoff(p: PayoffInput): PayoffFigures {
  const delta = p.inAdvance ? 1 : 0;
  const n = p.rents.length;
  const rentsPv = roundHalfUp(
    p.rents.reduce((s, r, idx) => s + r / (1 + p.i) ** (p.exponents?.[idx] ?? idx + 1 - delta), 0),
  );
  const endAmountPv = roundHalfUp(p.endAmount / (1 + p.i) ** (p.endExponent ?? n));
  const tax = applyRate(rentsPv + endAmountPv, p.taxRate);
  const total = p.arrears + rentsPv + endAmountPv + p.fees + tax - p.deposit;
  return {
    arrears: p.arrears,
    rentsPv,
    endAmountPv,
    fees: p.fees,
    tax,
    deposit: p.deposit,
    total: Math.max(0, total),
  };
}

/**
 * Interest accrued on `principal` from the instalment dated `from` to `to`: the period's interest
 * at the contract's periodic rate (as the schedule charges it in the next instalment), in
 * proportion to the days elapsed of the period `from` → `periodEnd`. None on or before `from`.
 */
export function accruedInterest(o: {
  principal: number;
  periodicRate: number;
  from: string;
  to: string;
  periodEnd: string;
}): { days: number; interest: number } {
  const days = Math.max(0, daysBetween(o.from, o.to));
  const periodDays = Math.max(1, daysBetween(o.from, o.periodEnd));
  return { days, interest: roundHalfUp((o.principal * o.periodicRate * days) / periodDays) };
}

/**
 * Where `date` falls on the schedule, in periods: k on the k-th due date (1-based), fractional in
 * between (by days), k − 1 + days/period-days. Before the first due date and after the last, the
 * schedule is extended by one period on each side (addMonths by the frequency).
 */
export function schedulePosition(dues: string[], frequency: Frequency, date: string): number {
  const m = MONTHS_PER_PERIOD[frequency];
  if (dues.length === 0) return 0;
  const knots = [addMonths(dues[0]!, -m), ...dues, addMonths(dues[dues.length - 1]!, m)];
  let k = -1;
  for (let j = 0; j < knots.length; j++) if (knots[j]! <= date) k = j;
  const a = k < 0 ? 0 : Math.min(k, knots.length - 2);
  const from = knots[a]!;
  const span = Math.max(1, daysBetween(from, knots[a + 1]!));
  return a + daysBetween(from, date) / span;
}

export interface QuoteLine {
  code: string;
  label: string;
  amountMinor: number;
}
export interface Breakdown {
  currency: string;
  lines: QuoteLine[];
  totalMinor: number;
  /** A loan's partial principal paydown (payoff.paydown.ts): what it leaves to repay, and how. */
  paydown?: PaydownTerms;
}

export interface PaydownTerms {
  principalBefore: number;
  paydown: number;
  principalAfter: number;
  /** 'term': same term, a new instalment; 'instalment': same instalment, a shorter term. */
  keep: 'term' | 'instalment';
  instalmentsLeft: number;
  instalmentBefore: number;
  instalmentAfter: number;
  instalmentsAfter: number;
}

export interface ScheduleItem {
  seq: number;
  due: string;
  rent: number;
  tax: number;
  balanceAfter: number;
  billed: boolean;
}

export interface QuoteContract {
  product: Product;
  frequency: Frequency;
  inAdvance: boolean;
  startDate: string;
  endDate: string;
  /** Annual rate as a decimal string. */
  rate: string;
  residual: number;
  financed: number;
  taxRate: string;
  deposit: number;
  currency: string;
}

export interface QuoteLabel {
  validityDays: number;
  discountMode: 'contract' | 'label' | 'none';
  discountRate: string | null;
  feeMinor: number;
}

export interface QuoteRequest {
  contract: QuoteContract;
  label: QuoteLabel;
  schedule: ScheduleItem[];
  /** Billed but unpaid amounts for this contract (open invoices' balances). */
  arrears: number;
  quoteDate: string;
  payoffDate: string;
  /** Share of the contract's cost being paid off: selected assets' cost / contract cost. 1 = whole. */
  share: { selectedCost: number; contractCost: number } | null;
  /**
   * Partial quotes only: the selected assets with the sales-tax rate of each one's location
   * (payoff.tax-rates.ts). The taxable purchase (discounted rents + end amount) is split between
   * them by cost and each part is taxed at its asset's rate. Absent: the contract's tax_rate.
   */
  assetTax?: AssetTax[] | null;
}

export interface AssetTax {
  number: string;
  costMinor: number;
  taxRate: string;
  /** `US-TX`, or undefined when the contract's rate is used. */
  location: string | undefined;
}

/**
 * Splits `base` between the assets by cost (equally when all costs are 0), rounding half-up and
 * giving the last asset the remainder so the parts add up to `base`; taxes each part at its rate.
 */
export function taxPerAsset(
  base: number,
  assets: AssetTax[],
): (AssetTax & { baseMinor: number; taxMinor: number })[] {
  const totalCost = assets.reduce((s, a) => s + a.costMinor, 0);
  let left = base;
  return assets.map((a, idx) => {
    const part =
      idx === assets.length - 1
        ? left
        : roundHalfUp(totalCost > 0 ? (base * a.costMinor) / totalCost : base / assets.length);
    left -= part;
    return { ...a, baseMinor: part, taxMinor: applyRate(part, a.taxRate) };
  });
}

/** A payoff quote's number, the same for seeded and issued quotes: PQ-<year quoted>-<id, 6 digits>. */
export function quoteNumber(quoteDate: string, id: number): string {
  return `PQ-${quoteDate.slice(0, 4)}-${String(id).padStart(6, '0')}`;
}

/** The latest payoff date a quote may choose: the label's limit, never past the contract end. */
export function latestPayoffDate(quoteDate: string, validityDays: number, endDate: string): string {
  const d = new Date(`${quoteDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + validityDays);
  const limit = d.toISOString().slice(0, 10);
  return limit < endDate ? limit : endDate;
}

const scale = (minor: number, s: QuoteRequest['share']): number =>
  s && s.contractCost > 0 ? roundHalfUp((minor * s.selectedCost) / s.contractCost) : minor;

/**
 * A loan on the payoff date: the last instalment settled by the quote (the last one due by the
 * payoff date or, when an instalment is billed ahead of its due date, the last one billed: its
 * whole amount is in the arrears, so its principal must not be counted again), the principal
 * outstanding after it, the interest accrued since, and the instalments left after it.
 */
export function loanStanding(q: QuoteRequest): {
  principal: number;
  from: string;
  days: number;
  interest: number;
  instalmentsLeft: number;
} {
  const c = q.contract;
  let a = -1;
  q.schedule.forEach((l, idx) => {
    if (l.due <= q.payoffDate || l.billed) a = idx;
  });
  const anchor = a >= 0 ? q.schedule[a] : undefined;
  const principal = scale(anchor ? anchor.balanceAfter : c.financed, q.share);
  const from = anchor?.due ?? c.startDate;
  return {
    principal,
    from,
    ...accruedInterest({
      principal,
      periodicRate: periodicRate(c.rate, c.frequency),
      from,
      to: q.payoffDate,
      periodEnd: q.schedule[a + 1]?.due ?? addMonths(from, MONTHS_PER_PERIOD[c.frequency]),
    }),
    instalmentsLeft: q.schedule.length - (a + 1),
  };
}

const END_LABEL: Record<Product, string> = {
  fmv: 'Booked fair market value residual',
  one_dollar_buyout: '$1 purchase option',
  trac: 'TRAC residual amount',
  loan: 'Loan principal outstanding',
};

const pct = (rate: string | number): string =>
  `${(Math.round(Number(rate) * 100_000) / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 })}%`;

/**
 * The itemised quote. Rents falling due up to the payoff date (not yet billed) are separate lines,
 * with their tax; each remaining rent after the payoff date is discounted to it from its own due
 * date (fractional periods between due dates), the end amount from the lease's end; the $1 option
 * is not discounted. For a loan: the principal after the last instalment settled by the quote
 * (the last one due by the payoff date, or billed ahead of it, whose whole amount is in the
 * arrears), plus interest accrued from that instalment's date to the payoff date (the period's
 * interest by the days elapsed), plus billed-unpaid amounts and fees, and no sales tax.
 * Valid through the day before the next rent after the payoff date falls due, at most the label's
 * limit from the quote date, never before the payoff date.
 */
export function computeQuote(q: QuoteRequest): {
  breakdown: Breakdown;
  validUntil: string;
  inputs: Record<string, unknown>;
} {
  const c = q.contract;
  const unbilled = q.schedule.filter((l) => !l.billed);
  const between = unbilled.filter((l) => l.due <= q.payoffDate);
  const remaining = unbilled.filter((l) => l.due > q.payoffDate);
  const annual =
    q.label.discountMode === 'none'
      ? '0'
      : q.label.discountMode === 'label'
        ? (q.label.discountRate ?? '0')
        : c.rate;
  const i = periodicRate(annual, c.frequency);
  const lines: QuoteLine[] = [];
  lines.push({
    code: 'arrears',
    label: 'Past-due and billed but unpaid rents, late fees and charges',
    amountMinor: q.arrears,
  });
  for (const l of between)
    lines.push({
      code: 'rent_due',
      label:
        c.product === 'loan' ? `Instalment ${l.seq} due ${l.due}` : `Rent ${l.seq} due ${l.due}, with tax`,
      amountMinor: scale(l.rent, q.share) + scale(l.tax, q.share),
    });
  let figures: PayoffFigures;
  let perAssetTax: ReturnType<typeof taxPerAsset> | undefined;
  const inputs: Record<string, unknown> = {
    product: c.product,
    quoteDate: q.quoteDate,
    payoffDate: q.payoffDate,
    frequency: c.frequency,
    paymentsInAdvance: c.inAdvance,
    discountRate: annual,
    discountSource: q.label.discountMode,
    periodicRate: i,
    feeMinor: q.label.feeMinor,
    taxRate: c.product === 'loan' ? '0' : c.taxRate,
    depositMinor: c.deposit,
    arrearsMinor: q.arrears,
    share: q.share,
  };
  if (c.product === 'loan') {
    const p = loanStanding(q);
    const from = p.from;
    lines.push({ code: 'end_amount', label: END_LABEL.loan, amountMinor: p.principal });
    lines.push({
      code: 'interest',
      label: `Interest at ${pct(c.rate)} a year for ${p.days} days to the payoff date`,
      amountMinor: p.interest,
    });
    figures = {
      arrears: q.arrears,
      rentsPv: 0,
      endAmountPv: p.principal + p.interest,
      fees: q.label.feeMinor,
      tax: 0,
      deposit: scale(c.deposit, q.share),
      total: 0,
    };
    figures.total = Math.max(0, figures.arrears + figures.endAmountPv + figures.fees - figures.deposit);
    Object.assign(inputs, {
      principalMinor: p.principal,
      interestDays: p.days,
      interestFrom: from,
    });
  } else {
    // Each rent is discounted from its own due date to the payoff date, in periods (fractional
    // between due dates), so the quote grows a day's discount a day, never a period at once.
    const pos = schedulePosition(
      q.schedule.map((l) => l.due),
      c.frequency,
      q.payoffDate,
    );
    const at = (l: ScheduleItem): number => Math.max(0, q.schedule.indexOf(l) + 1 - pos);
    figures = payoff({
      arrears: q.arrears,
      rents: remaining.map((l) => scale(l.rent, q.share)),
      exponents: remaining.map(at),
      endAmount: scale(c.residual, q.share),
      // The $1 option is a nominal price paid with the payoff: it is not discounted.
      endExponent:
        c.product === 'one_dollar_buyout' ? 0 : Math.max(0, q.schedule.length + (c.inAdvance ? 1 : 0) - pos),
      i,
      inAdvance: c.inAdvance,
      fees: q.label.feeMinor,
      taxRate: c.taxRate,
      deposit: scale(c.deposit, q.share),
    });
    lines.push({
      code: 'remaining_rents',
      label: `${remaining.length} remaining rents discounted at ${pct(annual)} a year`,
      amountMinor: figures.rentsPv,
    });
    lines.push({
      code: 'end_amount',
      label:
        c.product === 'one_dollar_buyout'
          ? END_LABEL[c.product]
          : `${END_LABEL[c.product]}, discounted to the payoff date`,
      amountMinor: figures.endAmountPv,
    });
    if (q.share && q.assetTax?.length) {
      const parts = taxPerAsset(figures.rentsPv + figures.endAmountPv, q.assetTax);
      figures.tax = parts.reduce((s, p) => s + p.taxMinor, 0);
      figures.total = Math.max(
        0,
        figures.arrears +
          figures.rentsPv +
          figures.endAmountPv +
          figures.fees +
          figures.tax -
          figures.deposit,
      );
      perAssetTax = parts;
      inputs.taxRate = 'per asset';
      inputs.assetTax = parts;
    }
    Object.assign(inputs, {
      remainingRents: remaining.length,
      rentsMinor: remaining.map((l) => scale(l.rent, q.share)),
      endAmountMinor: scale(c.residual, q.share),
    });
  }
  lines.push({ code: 'fees', label: 'Payoff and lien-release fee', amountMinor: figures.fees });
  if (perAssetTax)
    for (const p of perAssetTax)
      lines.push({
        code: 'tax',
        label: `Sales tax ${pct(p.taxRate)} (${p.location ?? 'contract rate'}) on the purchase of asset ${p.number}`,
        amountMinor: p.taxMinor,
      });
  else if (c.product !== 'loan')
    lines.push({
      code: 'tax',
      label: `Sales tax ${pct(c.taxRate)} on the purchase`,
      amountMinor: figures.tax,
    });
  lines.push({
    code: 'deposit',
    label: 'Security deposit applied',
    amountMinor: figures.deposit ? -figures.deposit : 0,
  });
  const betweenTotal = lines.filter((l) => l.code === 'rent_due').reduce((s, l) => s + l.amountMinor, 0);
  // The deposit is credited against everything owed, the rents falling due before the payoff date too.
  const totalMinor = Math.max(
    0,
    figures.arrears +
      figures.rentsPv +
      figures.endAmountPv +
      figures.fees +
      figures.tax -
      figures.deposit +
      betweenTotal,
  );

  const nextAfter = q.schedule.find((l) => l.due > q.payoffDate)?.due;
  const limit = latestPayoffDate(q.quoteDate, q.label.validityDays, '9999-12-31');
  let validUntil = limit;
  if (nextAfter) {
    const dayBefore = new Date(`${nextAfter}T00:00:00Z`);
    dayBefore.setUTCDate(dayBefore.getUTCDate() - 1);
    const d = dayBefore.toISOString().slice(0, 10);
    if (d < validUntil) validUntil = d;
  }
  if (validUntil < q.payoffDate) validUntil = q.payoffDate;
  return { breakdown: { currency: c.currency, lines, totalMinor }, validUntil, inputs };
}
