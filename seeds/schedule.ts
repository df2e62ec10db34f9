/**
 * Pure lease/loan arithmetic for the demo data: due dates, level rent, amortisation, tax and a
 * payoff estimate. Money is integer minor units; a float appears only inside a discount factor
 * and is rounded once, half away from zero, to a whole minor unit.
 */
import { addMonths } from '../src/lib/clock.ts';

export type Frequency = 'monthly' | 'quarterly' | 'semiannual' | 'annual';

export const MONTHS_PER_PERIOD: Record<Frequency, number> = {
  monthly: 1,
  quarterly: 3,
  semiannual: 6,
  annual: 12,
};

export function periodsIn(termMonths: number, frequency: Frequency): number {
  const m = MONTHS_PER_PERIOD[frequency];
  if (termMonths % m !== 0)
    throw new RangeError(`${termMonths} months is not a whole number of ${frequency} periods`);
  return termMonths / m;
}

/** Periodic rate from an annual rate given as a decimal string ('0.080000'). */
export function periodicRate(annualRate: string, frequency: Frequency): number {
  return (Number(annualRate) * MONTHS_PER_PERIOD[frequency]) / 12;
}

/**
 * n due dates, one period apart, with due date number `anchorIndex` (0-based) falling exactly on
 * `anchor`. Each is computed from the anchor (never chained), so a 31st stays a 31st where it can.
 */
export function dueDates(anchor: string, anchorIndex: number, n: number, frequency: Frequency): string[] {
  const m = MONTHS_PER_PERIOD[frequency];
  return Array.from({ length: n }, (_, k) => addMonths(anchor, (k - anchorIndex) * m));
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

/**
 * Level periodic payment that amortises `financed` down to `residual` over n periods at rate i
 * per period: PMT = (PV − FV·vⁿ) · i / (1 − vⁿ), divided by (1+i) when paid in advance.
 */
export function levelPayment(
  financed: number,
  residual: number,
  i: number,
  n: number,
  inAdvance: boolean,
): number {
  if (i === 0) return roundHalfUp((financed - residual) / n);
  const v = 1 / (1 + i);
  const vn = v ** n;
  const pmt = ((financed - residual * vn) * i) / (1 - vn);
  return roundHalfUp(inAdvance ? pmt / (1 + i) : pmt);
}

export interface AmortisationLine {
  seq: number;
  rent: number;
  principal: number;
  interest: number;
  balanceAfter: number;
}

/**
 * Splits each rent into interest and principal on the declining balance. In advance, a rent
 * carries the interest of the period before it (none for the first); after the last rent the
 * balance is the residual's value one period early, FV/(1+i). In arrears it ends at FV.
 * Rounding drift (a few minor units) is absorbed by the last line's interest.
 */
export function amortise(o: {
  financed: number;
  residual: number;
  rent: number;
  i: number;
  n: number;
  inAdvance: boolean;
}): AmortisationLine[] {
  const target = o.inAdvance ? roundHalfUp(o.residual / (1 + o.i)) : o.residual;
  const lines: AmortisationLine[] = [];
  let balance = o.financed;
  for (let k = 1; k <= o.n; k++) {
    let interest = o.inAdvance && k === 1 ? 0 : roundHalfUp(balance * o.i);
    let principal = o.rent - interest;
    if (k === o.n) {
      principal = balance - target;
      interest = o.rent - principal;
    }
    balance -= principal;
    lines.push({ seq: k, rent: o.rent, principal, interest, balanceAfter: balance });
  }
  return lines;
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
  const rentsPv = roundHalfUp(p.rents.reduce((s, r, idx) => s + r / (1 + p.i) ** (idx + 1 - delta), 0));
  const endAmountPv = roundHalfUp(p.endAmount / (1 + p.i) ** n);
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
