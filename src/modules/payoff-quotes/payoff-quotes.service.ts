/**
 * Payoff quotes: what may be quoted, the itemised figures (payoff.calc.ts), saving a quote with
 * its inputs and breakdown unchanged, reading, listing and e-mailing it. Reading and listing
 * show a stale issued quote as superseded (quoteStatusColumn, worked out on read: nothing is
 * written); a superseded or expired quote is not e-mailed.
 */
import { issueQuote } from './payoff-quotes.issue.ts';
import path from 'node:path';
import ejs from 'ejs';
import type { Knex } from 'knex';
import { Conflict, NotFound, ValidationFailed } from '../../http/errors.ts';
import type { Scope } from '../../http/types.ts';
import { viewHelpers, viewsDir } from '../../http/views.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { ContractsRepository, ContractRow } from '../contracts/contracts.repository.ts';
import { quoteStatus } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import {
  computeQuote,
  latestPayoffDate,
  loanStanding,
  type Breakdown,
  type QuoteLabel,
  type QuoteRequest,
} from './payoff.calc.ts';
import { paydownMethods } from './payoff-paydown.service.ts';
import { quotePdf } from './payoff-quotes.pdf.ts';
import { locationTaxRate } from './payoff.tax-rates.ts';
import { quoteStatusColumn } from './payoff-quotes.supersede.ts';

export interface QuoteRow {
  id: number;
  number: string;
  contractId: number;
  contractNumber: string;
  requestedBy: number | null;
  quoteDate: string;
  payoffDate: string;
  validUntil: string;
  scope: 'contract' | 'assets';
  assetIds: number[];
  inputs: Record<string, unknown>;
  breakdown: Breakdown;
  totalMinor: number;
  currency: string;
  status: string;
  createdAt: Date;
}

export interface Ctx {
  ip: string | null;
  requestId: string | null;
}

/** Why a contract cannot be quoted, or undefined when it can. */
export function refusal(c: ContractRow): string | undefined {
  if (c.status === 'paid_off') return `Contract ${c.number} is paid off: there is nothing left to pay.`;
  if (c.status === 'terminated')
    return `Contract ${c.number} has been terminated: a payoff quote cannot be given. Contact us for the closing balance.`;
  return undefined;
}

/** Why a quote may not be e-mailed as valid, or undefined when it may. */
export function notValidReason(q: { status: string; contractNumber: string }): string | undefined {
  if (q.status === 'superseded')
    return `This quote is superseded: a payment or late fee was posted to contract ${q.contractNumber} after it was issued, so its figures are out of date. It cannot be e-mailed as a valid quote.`;
  if (q.status === 'expired')
    return 'This quote has expired: its valid-until date has passed. It cannot be e-mailed as a valid quote.';
  return undefined;
}

/** The quote request for a whole contract on the quote date (its schedule and open invoices). */
export function requestOf(
  contract: ContractRow,
  label: QuoteLabel,
  lines: Awaited<ReturnType<ContractsRepository['schedule']>>,
  invoices: Awaited<ReturnType<ContractsRepository['openInvoices']>>,
): Pick<QuoteRequest, 'contract' | 'label' | 'schedule' | 'arrears'> {
  return {
    contract: {
      product: contract.product,
      frequency: contract.frequency,
      inAdvance: contract.paymentsInAdvance,
      startDate: contract.startDate,
      endDate: contract.endDate,
      rate: contract.rate,
      residual: Number(contract.residualMinor),
      financed: Number(contract.financedMinor),
      taxRate: contract.taxRate,
      deposit: Number(contract.securityDepositMinor),
      currency: contract.currency,
    },
    label,
    schedule: lines.map((l) => ({
      seq: l.seq,
      due: l.dueDate,
      rent: Number(l.rentMinor),
      tax: Number(l.taxMinor),
      balanceAfter: Number(l.balanceAfterMinor),
      billed: l.invoiceId !== null,
    })),
    arrears: invoices.reduce((s, i) => s + i.contractBalanceMinor, 0),
  };
}

export function createPayoffQuotesService(d: {
  db: Knex;
  contractsRepo: ContractsRepository;
  audit: AuditRepository;
  activities: ActivitiesRepository;
  outbox: OutboxService;
}) {
  const { db, contractsRepo: repo } = d;

  const labelTerms = async (labelId: number): Promise<QuoteLabel> => {
    const r = (await db('private_labels')
      .where({ id: labelId })
      .first(
        'payoff_validity_days as validityDays',
        'payoff_discount_mode as discountMode',
        db.raw('payoff_discount_rate::text as "discountRate"'),
        'payoff_fee_minor as feeMinor',
      )) as QuoteLabel;
    return { ...r, feeMinor: Number(r.feeMinor) };
  };

  const contractOf = async (scope: Scope, contractId: number): Promise<ContractRow> => {
    const c = await repo.findById(scope, scope.today, contractId);
    if (!c) throw new NotFound();
    return c;
  };

  /** The request page's data: the contract, its assets, the date range, or why it is refused. */
  async function prepare(scope: Scope, contractId: number) {
    const contract = await contractOf(scope, contractId);
    const label = await labelTerms(scope.labelId);
    const assets = await repo.assets(scope, contractId);
    // A loan may also be paid down in part: its principal outstanding today, for the form's hint.
    let principalToday: number | undefined;
    if (contract.product === 'loan' && !refusal(contract)) {
      const [lines, invoices] = await Promise.all([
        repo.schedule(scope, contractId),
        repo.openInvoices(scope, contractId),
      ]);
      principalToday = loanStanding({
        ...requestOf(contract, label, lines, invoices),
        quoteDate: scope.today,
        payoffDate: scope.today,
        share: null,
      }).principal;
    }
    return {
      contract,
      assets,
      principalToday,
      refused: refusal(contract),
      earliest: scope.today,
      latest: latestPayoffDate(scope.today, label.validityDays, contract.endDate),
    };
  }

  /** Prices a quote; throws ValidationFailed for a date out of range or assets not on the contract. */
  async function price(scope: Scope, contractId: number, input: { payoffDate: string; assetIds: number[] }) {
    const contract = await contractOf(scope, contractId);
    const why = refusal(contract);
    if (why) throw new Conflict(why);
    const label = await labelTerms(scope.labelId);
    const latest = latestPayoffDate(scope.today, label.validityDays, contract.endDate);
    const errors = [];
    if (input.payoffDate < scope.today)
      errors.push({ field: 'payoffDate', message: 'Payoff date must be today or later' });
    else if (input.payoffDate > latest)
      errors.push({
        field: 'payoffDate',
        message: `Payoff date must be on or before ${viewHelpers.date(latest, scope.label.locale)}`,
      });
    const [assets, lines, invoices] = await Promise.all([
      repo.assets(scope, contractId),
      repo.schedule(scope, contractId),
      repo.openInvoices(scope, contractId),
    ]);
    const ids = [...new Set(input.assetIds)];
    if (ids.some((id) => !assets.some((a) => a.id === id)))
      errors.push({ field: 'asset', message: 'Select assets on this contract only' });
    else if (assets.length > 0 && ids.length === 0)
      errors.push({
        field: 'asset',
        message: 'Select at least one asset, or select all for the whole contract',
      });
    if (errors.length) throw new ValidationFailed(errors);
    const partial = ids.length > 0 && ids.length < assets.length;
    const contractCost = assets.reduce((s, a) => s + Number(a.costMinor), 0);
    const selectedCost = assets
      .filter((a) => ids.includes(a.id))
      .reduce((s, a) => s + Number(a.costMinor), 0);
    const q = computeQuote({
      ...requestOf(contract, label, lines, invoices),
      quoteDate: scope.today,
      payoffDate: input.payoffDate,
      share: partial ? { selectedCost, contractCost } : null,
      // Partial quotes: each selected asset is taxed at its own location's rate.
      assetTax: partial
        ? assets
            .filter((a) => ids.includes(a.id))
            .map((a) => {
              const t = locationTaxRate(a, contract.taxRate);
              return {
                number: a.number,
                costMinor: Number(a.costMinor),
                taxRate: t.rate,
                location: t.location,
              };
            })
        : null,
    });
    return {
      contract,
      selected: partial ? assets.filter((a) => ids.includes(a.id)) : assets,
      partial,
      assetIds: partial ? ids : [],
      payoffDate: input.payoffDate,
      ...q,
    };
  }

  const columns = [
    'q.id',
    'q.number',
    'q.contract_id as contractId',
    'c.number as contractNumber',
    'q.requested_by as requestedBy',
    'q.quote_date as quoteDate',
    'q.payoff_date as payoffDate',
    'q.valid_until as validUntil',
    'q.scope',
    'q.asset_ids as assetIds',
    'q.inputs',
    'q.breakdown',
    'q.total_minor as totalMinor',
    db.raw('trim(q.currency) as currency'),
    quoteStatusColumn(db, 'q'),
    'q.created_at as createdAt',
  ];
  const scoped = (scope: Scope) =>
    db('payoff_quotes as q').join('contracts as c', 'c.id', 'q.contract_id').where({
      'q.customer_id': scope.customerId,
      'q.private_label_id': scope.labelId,
      'c.customer_id': scope.customerId,
    });

  async function get(scope: Scope, id: number): Promise<QuoteRow> {
    const row = (await scoped(scope).andWhere('q.id', id).first(columns)) as QuoteRow | undefined;
    if (!row) throw new NotFound();
    return {
      ...row,
      totalMinor: Number(row.totalMinor),
      status: quoteStatus(row.status, row.validUntil, scope.today),
    };
  }

  return {
    prepare,
    price,
    get,
    ...paydownMethods({
      db,
      repo,
      audit: d.audit,
      activities: d.activities,
      labelTerms,
      contractOf,
    }),

    async save(
      scope: Scope,
      contractId: number,
      input: { payoffDate: string; assetIds: number[] },
      ctx: Ctx,
    ): Promise<number> {
      const q = await price(scope, contractId, input);
      return db.transaction((trx) =>
        issueQuote(
          d,
          trx,
          scope,
          ctx,
          {
            contractId,
            payoffDate: q.payoffDate,
            validUntil: q.validUntil,
            scope: q.partial ? 'assets' : 'contract',
            assetIds: q.assetIds,
            inputs: q.inputs,
            breakdown: q.breakdown,
            currency: q.contract.currency,
          },
          (number) => ({
            audit: { payoffDate: q.payoffDate, totalMinor: q.breakdown.totalMinor },
            subject: `Payoff quote ${number} for ${q.contract.number} requested`,
          }),
        ),
      );
    },

    async list(scope: Scope) {
      const rows = (await scoped(scope)
        .orderBy('q.created_at', 'desc')
        .orderBy('q.id', 'desc')
        .limit(200)
        .select(columns)) as QuoteRow[];
      return rows.map((r) => ({ ...r, status: quoteStatus(r.status, r.validUntil, scope.today) }));
    },

    /** Queues the quote, with its PDF, to the signed-in user's own address. */
    async email(scope: Scope, id: number, ctx: Ctx): Promise<string> {
      const quote = await get(scope, id);
      const why = notValidReason(quote);
      if (why) throw new Conflict(why);
      const doc = quotePdf(quote, scope.label, scope.customer);
      const chunks: Buffer[] = [];
      const pdf = await new Promise<Buffer>((resolve, reject) => {
        doc.on('data', (c: Buffer) => chunks.push(c));
        doc.on('end', () => resolve(Buffer.concat(chunks)));
        doc.on('error', reject);
        doc.end();
      });
      const data = { ...viewHelpers, label: scope.label, quote, user: scope.user };
      const [html, text] = await Promise.all([
        ejs.renderFile(path.join(viewsDir, 'emails', 'payoff-quote.ejs'), data),
        ejs.renderFile(path.join(viewsDir, 'emails', 'payoff-quote-text.ejs'), data, {
          escape: (v: unknown) => String(v),
        }),
      ]);
      await db.transaction(async (trx) => {
        await d.outbox.enqueue(
          {
            to: scope.user.email,
            from: scope.label.emailFrom,
            subject: `Payoff quote ${quote.number} for ${quote.contractNumber} – ${scope.label.name}`,
            html,
            text,
            attachments: [
              {
                filename: `${quote.number}.pdf`,
                contentType: 'application/pdf',
                content: pdf.toString('base64'),
              },
            ],
          },
          trx,
        );
        await d.audit.record(
          {
            actorUserId: scope.user.id,
            actingCustomerId: scope.customerId,
            action: 'payoff_quote.emailed',
            entityType: 'payoff_quote',
            entityId: id,
            after: { to: scope.user.email },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
      });
      d.outbox.drainSoon();
      return scope.user.email;
    },
  };
}
export type PayoffQuotesService = ReturnType<typeof createPayoffQuotesService>;
