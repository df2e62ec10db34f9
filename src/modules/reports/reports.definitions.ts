/**
 * The report catalogue: for each report its filters (zod, from the query string), its columns,
 * a scoped base query (every query filters by customer_id AND private_label_id) and a unique
 * ordering used for paging and keyset streaming.
 */
import { humanize } from '../../lib/words.ts';
import type { Knex } from 'knex';
import { z } from 'zod';
import { addMonths, isIsoDate } from '../../lib/clock.ts';
import {
  agingRows,
  assetPage,
  assetRows,
  assetTotals,
  contractSummaryRows,
  contractSummaryTotals,
  paymentPage,
  paymentRows,
  paymentTotals,
  upcomingPage,
  upcomingRows,
  upcomingTotals,
} from './reports.queries.ts';

export type CellKind = 'text' | 'date' | 'money' | 'int';
export interface ReportColumn {
  key: string;
  header: string;
  kind: CellKind;
  /** Share of the PDF table width. */
  weight: number;
}
export interface FilterField {
  name: string;
  label: string;
  kind: 'select' | 'date' | 'text' | 'number';
  hint?: string;
  options?: { value: string; text: string }[];
}
export interface ReportScope {
  customerId: number;
  labelId: number;
  today: string;
  /** The customer's data version of a signed-in request (src/lib/scope-cache.ts), if known. */
  dataVersion?: string | undefined;
}
export type Filters = Record<string, string | number | undefined>;

export interface ReportDef {
  type: string;
  title: string;
  description: string;
  filters: z.ZodType<Filters>;
  fields: FilterField[];
  columns: ReportColumn[];
  /** Output aliases, all non-null, the last one unique: paging and keyset order. */
  orderBy: string[];
  /** Money columns totalled per currency. */
  sums: string[];
  /** Every row (exports stream it in `orderBy` order). */
  base(db: Knex, scope: ReportScope, f: Filters): Knex.QueryBuilder;
  /** The preview's page in `orderBy` order, read from an index (default: `base` sorted). */
  page?(db: Knex, scope: ReportScope, f: Filters, limit: number, offset: number): Knex.QueryBuilder;
  /** `currency`, `rows` and each of `sums` per currency (default: aggregated over `base`). */
  totals?(db: Knex, scope: ReportScope, f: Filters): Knex.QueryBuilder;
  /**
   * The preview computes all rows once per data version and pages them in memory: for
   * aggregates, and where a page would cost about as much as all rows (src/lib/scope-cache.ts).
   */
  shared?: boolean;
}

const blank = (v: unknown): unknown => (v === '' ? undefined : v);
const optEnum = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess(blank, z.enum(values, { message }).optional());
const optDate = (message: string) =>
  z.preprocess(blank, z.string().refine(isIsoDate, { message }).optional());
const optText = z.preprocess(blank, z.string().trim().max(100, 'Enter 100 characters or fewer').optional());
const statusOptions = (values: readonly string[], all: string) => [
  { value: '', text: all },
  ...values.map((v) => ({ value: v, text: humanize(v) })),
];
/** A date range whose end is not before its start. */
const dateRange = (status: z.ZodType<string | undefined>) =>
  z
    .object({
      from: optDate('Enter the start date as YYYY-MM-DD'),
      to: optDate('Enter the end date as YYYY-MM-DD'),
      status,
    })
    .refine((v) => !v.from || !v.to || v.from <= v.to, {
      path: ['to'],
      message: 'The end date must be on or after the start date',
    });

const CONTRACT_STATUSES = ['active', 'matured', 'terminated', 'paid_off'] as const;
const PRODUCTS = ['fmv', 'one_dollar_buyout', 'trac', 'loan'] as const;
const ASSET_STATUSES = ['active', 'returned', 'sold', 'disposed'] as const;
const PAYMENT_STATUSES = [
  'pending',
  'scheduled',
  'in_progress',
  'settled',
  'failed',
  'reversed',
  'cancelled',
] as const;
const QUOTE_STATUSES = ['in_review', 'issued', 'expired', 'accepted', 'superseded'] as const;

const contractField: FilterField = {
  name: 'contract',
  label: 'Contract number',
  kind: 'text',
  hint: 'Leave empty for all contracts',
};
const fromTo = (what: string): FilterField[] => [
  { name: 'from', label: `${what} from`, kind: 'date', hint: 'For example, 2026-01-31' },
  { name: 'to', label: `${what} to`, kind: 'date', hint: 'For example, 2026-12-31' },
];

function scoped(q: Knex.QueryBuilder, alias: string, s: ReportScope): Knex.QueryBuilder {
  return q.where(`${alias}.customer_id`, s.customerId).andWhere(`${alias}.private_label_id`, s.labelId);
}

/** The last due date of "Upcoming payments" (months ahead of the business date; 3 by default). */
const monthsAhead = (s: ReportScope, f: Filters): string =>
  addMonths(s.today, typeof f.months === 'number' ? f.months : 3);

export const REPORTS: ReportDef[] = [
  {
    type: 'contract-summary',
    title: 'Contract summary',
    description: 'Every contract with its term, periodic rent, financed amount and open invoice balance.',
    filters: z.object({
      status: optEnum(CONTRACT_STATUSES, 'Choose a contract status from the list'),
      product: optEnum(PRODUCTS, 'Choose a product from the list'),
    }),
    fields: [
      {
        name: 'status',
        label: 'Status',
        kind: 'select',
        options: statusOptions(CONTRACT_STATUSES, 'All statuses'),
      },
      { name: 'product', label: 'Product', kind: 'select', options: statusOptions(PRODUCTS, 'All products') },
    ],
    columns: [
      { key: 'number', header: 'Contract', kind: 'text', weight: 1.3 },
      { key: 'description', header: 'Description', kind: 'text', weight: 1.8 },
      { key: 'product', header: 'Product', kind: 'text', weight: 1 },
      { key: 'status', header: 'Status', kind: 'text', weight: 0.8 },
      { key: 'start_date', header: 'Start', kind: 'date', weight: 0.9 },
      { key: 'end_date', header: 'End', kind: 'date', weight: 0.9 },
      { key: 'currency', header: 'Currency', kind: 'text', weight: 0.7 },
      { key: 'periodic_rent_minor', header: 'Periodic rent', kind: 'money', weight: 1 },
      { key: 'financed_amount_minor', header: 'Financed', kind: 'money', weight: 1.1 },
      { key: 'open_balance_minor', header: 'Open balance', kind: 'money', weight: 1.1 },
    ],
    orderBy: ['number', 'id'],
    sums: ['periodic_rent_minor', 'financed_amount_minor', 'open_balance_minor'],
    base: contractSummaryRows,
    totals: contractSummaryTotals,
    // A page's open balances cost a pass over the customer's open invoices: keep all rows.
    shared: true,
  },
  {
    type: 'asset-listing',
    title: 'Asset listing by location',
    description: 'Assets grouped by country, region and city, with their contract, serial number and cost.',
    filters: z.object({
      status: optEnum(ASSET_STATUSES, 'Choose an asset status from the list'),
      region: optText,
      city: optText,
      contract: optText,
    }),
    fields: [
      {
        name: 'status',
        label: 'Status',
        kind: 'select',
        options: statusOptions(ASSET_STATUSES, 'All statuses'),
      },
      { name: 'region', label: 'State or province', kind: 'text', hint: 'For example, TX' },
      { name: 'city', label: 'City', kind: 'text' },
      contractField,
    ],
    columns: [
      { key: 'location', header: 'Location', kind: 'text', weight: 1.6 },
      { key: 'number', header: 'Asset', kind: 'text', weight: 1.1 },
      { key: 'description', header: 'Description', kind: 'text', weight: 1.8 },
      { key: 'serial_number', header: 'Serial / VIN', kind: 'text', weight: 1.3 },
      { key: 'contract_number', header: 'Contract', kind: 'text', weight: 1.2 },
      { key: 'status', header: 'Status', kind: 'text', weight: 0.8 },
      { key: 'currency', header: 'Currency', kind: 'text', weight: 0.7 },
      { key: 'cost_minor', header: 'Cost', kind: 'money', weight: 1 },
    ],
    orderBy: ['location', 'number', 'id'],
    sums: ['cost_minor'],
    base: assetRows,
    page: assetPage,
    totals: assetTotals,
  },
  {
    type: 'invoice-aging',
    title: 'Invoice aging',
    description:
      'Unpaid invoice balances per contract by days past due: current, 1–30, 31–60, 61–90 and over 90 days.',
    filters: z.object({ contract: optText }),
    fields: [contractField],
    columns: [
      { key: 'contract_number', header: 'Contract', kind: 'text', weight: 1.4 },
      { key: 'currency', header: 'Currency', kind: 'text', weight: 0.7 },
      { key: 'current_minor', header: 'Current', kind: 'money', weight: 1 },
      { key: 'd1_30_minor', header: '1–30 days', kind: 'money', weight: 1 },
      { key: 'd31_60_minor', header: '31–60 days', kind: 'money', weight: 1 },
      { key: 'd61_90_minor', header: '61–90 days', kind: 'money', weight: 1 },
      { key: 'd90_plus_minor', header: 'Over 90 days', kind: 'money', weight: 1 },
      { key: 'total_minor', header: 'Total', kind: 'money', weight: 1.1 },
    ],
    orderBy: ['contract_number', 'currency'],
    sums: ['current_minor', 'd1_30_minor', 'd31_60_minor', 'd61_90_minor', 'd90_plus_minor', 'total_minor'],
    base: agingRows,
    shared: true,
  },
  {
    type: 'payment-history',
    title: 'Payment history',
    description: 'Payments made, with their method, status and the invoices they paid.',
    filters: dateRange(optEnum(PAYMENT_STATUSES, 'Choose a payment status from the list')),
    fields: [
      ...fromTo('Initiated'),
      {
        name: 'status',
        label: 'Status',
        kind: 'select',
        options: statusOptions(PAYMENT_STATUSES, 'All statuses'),
      },
    ],
    columns: [
      { key: 'initiated_on', header: 'Initiated', kind: 'date', weight: 0.9 },
      { key: 'settled_on', header: 'Settled', kind: 'date', weight: 0.9 },
      { key: 'reference', header: 'Reference', kind: 'text', weight: 1 },
      { key: 'method', header: 'Method', kind: 'text', weight: 1.2 },
      { key: 'invoices', header: 'Invoices', kind: 'text', weight: 1.8 },
      { key: 'status', header: 'Status', kind: 'text', weight: 0.9 },
      { key: 'currency', header: 'Currency', kind: 'text', weight: 0.7 },
      { key: 'amount_minor', header: 'Amount', kind: 'money', weight: 1 },
    ],
    orderBy: ['initiated_on', 'id'],
    sums: ['amount_minor'],
    base: paymentRows,
    page: paymentPage,
    totals: paymentTotals,
  },
  {
    type: 'upcoming-payments',
    title: 'Upcoming payments',
    description:
      'Scheduled rent and tax falling due in the next months, from the contracts’ payment schedules.',
    filters: z.object({
      months: z.preprocess(
        blank,
        z.coerce
          .number({ message: 'Enter the number of months as a whole number from 1 to 24' })
          .int('Enter the number of months as a whole number from 1 to 24')
          .min(1, 'Enter the number of months as a whole number from 1 to 24')
          .max(24, 'Enter the number of months as a whole number from 1 to 24')
          .default(3),
      ),
      contract: optText,
    }),
    fields: [{ name: 'months', label: 'Months ahead', kind: 'number', hint: 'From 1 to 24' }, contractField],
    columns: [
      { key: 'due_date', header: 'Due date', kind: 'date', weight: 1 },
      { key: 'contract_number', header: 'Contract', kind: 'text', weight: 1.4 },
      { key: 'seq', header: 'Period', kind: 'int', weight: 0.6 },
      { key: 'currency', header: 'Currency', kind: 'text', weight: 0.7 },
      { key: 'rent_minor', header: 'Rent', kind: 'money', weight: 1 },
      { key: 'tax_minor', header: 'Tax', kind: 'money', weight: 1 },
      { key: 'total_minor', header: 'Total', kind: 'money', weight: 1 },
    ],
    orderBy: ['due_date', 'id'],
    sums: ['rent_minor', 'tax_minor', 'total_minor'],
    base: (db, s, f) => upcomingRows(db, s, f, monthsAhead(s, f)),
    page: (db, s, f, limit, offset) => upcomingPage(db, s, f, monthsAhead(s, f), limit, offset),
    totals: (db, s, f) => upcomingTotals(db, s, f, monthsAhead(s, f)),
  },
  {
    type: 'payoff-quotes',
    title: 'Payoff quotes issued',
    description: 'Payoff quotes by quote date, with the payoff date, validity and amount.',
    filters: dateRange(optEnum(QUOTE_STATUSES, 'Choose a quote status from the list')),
    fields: [
      ...fromTo('Quoted'),
      {
        name: 'status',
        label: 'Status',
        kind: 'select',
        options: statusOptions(QUOTE_STATUSES, 'All statuses'),
      },
    ],
    columns: [
      { key: 'number', header: 'Quote', kind: 'text', weight: 1.2 },
      { key: 'contract_number', header: 'Contract', kind: 'text', weight: 1.3 },
      { key: 'quote_date', header: 'Quoted', kind: 'date', weight: 0.9 },
      { key: 'payoff_date', header: 'Payoff date', kind: 'date', weight: 0.9 },
      { key: 'valid_until', header: 'Valid until', kind: 'date', weight: 0.9 },
      { key: 'status', header: 'Status', kind: 'text', weight: 0.9 },
      { key: 'currency', header: 'Currency', kind: 'text', weight: 0.7 },
      { key: 'total_minor', header: 'Amount', kind: 'money', weight: 1.1 },
    ],
    orderBy: ['quote_date', 'id'],
    sums: ['total_minor'],
    base(db, s, f) {
      const q = scoped(db('payoff_quotes as q'), 'q', s)
        .join('contracts as c', 'c.id', 'q.contract_id')
        .andWhere('c.customer_id', s.customerId)
        .andWhere('c.private_label_id', s.labelId)
        .select(
          'q.id',
          'q.number',
          'c.number as contract_number',
          db.raw("to_char(q.quote_date, 'YYYY-MM-DD') as quote_date"),
          db.raw("to_char(q.payoff_date, 'YYYY-MM-DD') as payoff_date"),
          db.raw("to_char(q.valid_until, 'YYYY-MM-DD') as valid_until"),
          'q.status',
          'q.currency',
          'q.total_minor',
        );
      if (f.from) q.andWhere('q.quote_date', '>=', f.from);
      if (f.to) q.andWhere('q.quote_date', '<=', f.to);
      if (f.status) q.andWhere('q.status', f.status);
      return db.select('*').from(q.as('x'));
    },
  },
];

export const REPORT_TYPES = REPORTS.map((r) => r.type);

export function reportDef(type: string): ReportDef | undefined {
  return REPORTS.find((r) => r.type === type);
}
