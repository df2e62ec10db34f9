/**
 * Partial principal paydown of a loan (the product's manual offers it beside the full payoff).
 * On the payoff date the lessee pays what is billed and unpaid, the instalments falling due by
 * then, the stated principal, the interest accrued on that principal since the last instalment,
 * and the fee. The principal left, P' = P − paydown, is then repaid over the instalments left
 * (n) at the contract's periodic rate i, either
 *   - same term, a new instalment: P'·i / (1 − (1+i)^−n)  (P'/n when i = 0), or
 *   - same instalment R, a shorter term: n' = ⌈−ln(1 − P'·i/R) / ln(1+i)⌉  (⌈P'/R⌉ when i = 0).
 */
import {
  computeQuote,
  loanStanding,
  periodicRate,
  roundHalfUp,
  type PaydownTerms,
  type QuoteLine,
  type QuoteRequest,
} from './payoff.calc.ts';

export type PaydownKeep = PaydownTerms['keep'];

/** The new level instalment repaying `principal` over `n` periods at `i` per period. */
export function newInstalment(principal: number, i: number, n: number): number {
  if (n <= 0 || principal <= 0) return 0;
  if (i === 0) return roundHalfUp(principal / n);
  return roundHalfUp((principal * i) / (1 - (1 + i) ** -n));
}

/** How many instalments of `instalment` repay `principal` at `i` per period (the last may be smaller). */
export function shortenedTerm(principal: number, i: number, instalment: number): number {
  if (principal <= 0) return 0;
  if (i === 0) return Math.ceil(principal / instalment);
  // A tiny tolerance so that an exact whole number of periods is not rounded up by float error.
  return Math.ceil(-Math.log(1 - (principal * i) / instalment) / Math.log(1 + i) - 1e-9);
}

export interface PaydownQuote extends PaydownTerms {
  currency: string;
  lines: QuoteLine[];
  totalMinor: number;
}

/**
 * Prices a paydown of `paydown` minor units. Throws RangeError when the contract is not a loan or
 * the amount is not positive and below the principal outstanding (callers check first).
 */
export function computePaydown(q: QuoteRequest, paydown: number, keep: PaydownKeep): PaydownQuote {
  const c = q.contract;
  if (c.product !== 'loan') throw new RangeError('only a loan can be paid down in part');
  const s = loanStanding(q);
  if (!(paydown > 0 && paydown < s.principal)) throw new RangeError('paydown out of range');
  const full = computeQuote(q).breakdown.lines;
  const i = periodicRate(c.rate, c.frequency);
  const instalmentBefore =
    q.schedule[q.schedule.length - s.instalmentsLeft]?.rent ?? q.schedule.at(-1)?.rent ?? 0;
  const principalAfter = s.principal - paydown;
  const interest = roundHalfUp((s.interest * paydown) / s.principal);
  const lines: QuoteLine[] = [
    ...full.filter((l) => l.code === 'arrears' || l.code === 'rent_due'),
    { code: 'paydown', label: 'Principal paid down', amountMinor: paydown },
    {
      code: 'interest',
      label: `Interest on the principal paid down, ${s.days} days since the last instalment`,
      amountMinor: interest,
    },
    ...full.filter((l) => l.code === 'fees'),
  ];
  const instalmentAfter =
    keep === 'term' ? newInstalment(principalAfter, i, s.instalmentsLeft) : instalmentBefore;
  const instalmentsAfter =
    keep === 'instalment' ? shortenedTerm(principalAfter, i, instalmentBefore) : s.instalmentsLeft;
  return {
    currency: c.currency,
    lines,
    totalMinor: lines.reduce((sum, l) => sum + l.amountMinor, 0),
    principalBefore: s.principal,
    paydown,
    principalAfter,
    keep,
    instalmentsLeft: s.instalmentsLeft,
    instalmentBefore,
    instalmentAfter,
    instalmentsAfter,
  };
}
