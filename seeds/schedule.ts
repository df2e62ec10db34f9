/**
 * Pure lease/loan arithmetic for the demo data: due dates, level rent, amortisation, tax and a
 * payoff estimate. Money is integer minor units; a float appears only inside a discount factor
 * and is rounded once, half away from zero, to a whole minor unit.
 */
import { addMonths } from '../src/lib/clock.ts';
import { MONTHS_PER_PERIOD, roundHalfUp, type Frequency } from '../src/modules/payoff-quotes/payoff.calc.ts';

// The payoff formula and its helpers live with the portal's payoff quotes, so the demo data and
// the portal price quotes with one function.
export {
  MONTHS_PER_PERIOD,
  applyRate,
  payoff,
  periodicRate,
  roundHalfUp,
  type Frequency,
  type PayoffFigures,
  type PayoffInput,
} from '../src/modules/payoff-quotes/payoff.calc.ts';

export function periodsIn(termMonths: number, frequency: Frequency): number {
  const m = MONTHS_PER_PERIOD[frequency];
  if (termMonths % m !== 0)
    throw new RangeError(`${termMonths} months is not a whole number of ${frequency} periods`);
  return termMonths / m;
}

/**
 * n due dates, one period apart, with due date number `anchorIndex` (0-based) falling exactly on
 * `anchor`. Each is computed from the anchor (never chained), so a 31st stays a 31st where it can.
 */
export function dueDates(anchor: string, anchorIndex: number, n: number, frequency: Frequency): string[] {
  const m = MONTHS_PER_PERIOD[frequency];
  return Array.from({ length: n }, (_, k) => addMonths(anchor, (k - anchorIndex) * m));
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
