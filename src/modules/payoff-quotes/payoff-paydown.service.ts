/**
 * A loan's partial principal paydown quote (payoff.paydown.ts): priced for review, then saved as a
 * payoff quote (same numbering, validity, superseding, PDF and e-mail) whose breakdown carries
 * the paydown's terms. Part of the payoff-quotes service (createPayoffQuotesService).
 */
import { issueQuote } from './payoff-quotes.issue.ts';
import type { Knex } from 'knex';
import { Conflict, NotFound, ValidationFailed, type FieldError } from '../../http/errors.ts';
import type { Scope } from '../../http/types.ts';
import { viewHelpers } from '../../http/views.ts';
import { parseMoney } from '../../lib/money.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { ContractRow, ContractsRepository } from '../contracts/contracts.repository.ts';
import { computeQuote, latestPayoffDate, loanStanding, type QuoteLabel } from './payoff.calc.ts';
import { computePaydown, type PaydownKeep } from './payoff.paydown.ts';
import { refusal, requestOf, type Ctx } from './payoff-quotes.service.ts';

export interface PaydownInput {
  paydownDate: string;
  amount: string;
  keep: PaydownKeep;
}

export function paydownMethods(d: {
  db: Knex;
  repo: ContractsRepository;
  audit: AuditRepository;
  activities: ActivitiesRepository;
  labelTerms: (labelId: number) => Promise<QuoteLabel>;
  contractOf: (scope: Scope, contractId: number) => Promise<ContractRow>;
}) {
  /** Prices a paydown; ValidationFailed for a date out of range or an amount not within the principal. */
  async function pricePaydown(scope: Scope, contractId: number, input: PaydownInput) {
    const contract = await d.contractOf(scope, contractId);
    if (contract.product !== 'loan') throw new NotFound();
    const why = refusal(contract);
    if (why) throw new Conflict(why);
    const label = await d.labelTerms(scope.labelId);
    const latest = latestPayoffDate(scope.today, label.validityDays, contract.endDate);
    const loc = scope.label.locale;
    const errors: FieldError[] = [];
    if (input.paydownDate < scope.today)
      errors.push({ field: 'paydownDate', message: 'Payment date must be today or later' });
    else if (input.paydownDate > latest)
      errors.push({
        field: 'paydownDate',
        message: `Payment date must be on or before ${viewHelpers.date(latest, loc)}`,
      });
    const [lines, invoices] = await Promise.all([
      d.repo.schedule(scope, contractId),
      d.repo.openInvoices(scope, contractId),
    ]);
    const req = {
      ...requestOf(contract, label, lines, invoices),
      quoteDate: scope.today,
      payoffDate: errors.length ? scope.today : input.paydownDate,
      share: null,
    };
    const principal = loanStanding(req).principal;
    const amount = parseMoney(input.amount, contract.currency);
    if (amount === undefined)
      errors.push({ field: 'amount', message: 'Enter the principal as an amount, for example 25,000.00' });
    else if (amount <= 0)
      errors.push({ field: 'amount', message: 'Principal to pay down must be more than 0' });
    else if (amount >= principal)
      errors.push({
        field: 'amount',
        message: `Principal to pay down must be less than the principal outstanding, ${viewHelpers.money(principal, contract.currency, loc)}. To pay it all, request a payoff quote.`,
      });
    if (errors.length) throw new ValidationFailed(errors);
    const p = computePaydown(req, amount!, input.keep);
    const { validUntil } = computeQuote(req);
    const { lines: quoteLines, totalMinor, currency, ...terms } = p;
    return {
      contract,
      payoffDate: input.paydownDate,
      validUntil,
      amount: input.amount,
      keep: input.keep,
      breakdown: { currency, lines: quoteLines, totalMinor, paydown: terms },
      inputs: {
        kind: 'paydown',
        quoteDate: scope.today,
        payoffDate: input.paydownDate,
        paydownMinor: amount,
        keep: input.keep,
        rate: contract.rate,
        frequency: contract.frequency,
        feeMinor: label.feeMinor,
        arrearsMinor: req.arrears,
      },
    };
  }

  return {
    pricePaydown,

    async savePaydown(scope: Scope, contractId: number, input: PaydownInput, ctx: Ctx): Promise<number> {
      const q = await pricePaydown(scope, contractId, input);
      return d.db.transaction((trx) =>
        issueQuote(
          d,
          trx,
          scope,
          ctx,
          {
            contractId,
            payoffDate: q.payoffDate,
            validUntil: q.validUntil,
            scope: 'contract',
            assetIds: [],
            inputs: q.inputs,
            breakdown: q.breakdown,
            currency: q.contract.currency,
          },
          (number) => ({
            audit: {
              kind: 'paydown',
              payoffDate: q.payoffDate,
              paydownMinor: q.breakdown.paydown.paydown,
              keep: q.keep,
              totalMinor: q.breakdown.totalMinor,
            },
            subject: `Principal paydown quote ${number} for ${q.contract.number} requested`,
          }),
        ),
      );
    },
  };
}
