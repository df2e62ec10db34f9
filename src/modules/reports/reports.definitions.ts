/**
 * The report catalogue: for each report its filters (zod, from the query string), its columns,
 * a scoped base query (every query filters by customer_id AND private_label_id) and a unique
 * ordering used for paging and keyset streaming.
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import { addMonths, isIsoDate } from '../../lib/clock.ts';

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
  base(db: Knex, scope: ReportScope, f: Filters): Knex.QueryBuilder;
}

const blank = (v: unknown): unknown => (v === '' ? undefined : v);
const optEnum = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess(blank, z.enum(values, { message }).optional());
const optDate = (message: string) =>
  z.preprocess(blank, z.string().refine(isIsoDate, { message }).optional());
const optText = z.preprocess(blank, z.string().trim().max(100, 'Enter 100 characters or fewer').optional());
const statusOptions = (values: readonly string[], all: string) => [
  { value: '', text: all },
  ...values.map((v) => ({ value: v, text: v.charAt(0).toUpperCase() + v.slice(1).replaceAll('_', ' ') })),
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
    base(db, s, f) {
      // Each contract's share of its open invoices' balances (a balance shared between the
      // invoice's lines in proportion to their amounts), for all the customer's contracts in one
      // aggregate: a subquery per contract hashed every open invoice again (4 s for a fleet).
      const open = db('invoice_lines as il')
        .join('invoices as i', 'i.id', 'il.invoice_id')
        .where('i.customer_id', s.customerId)
        .andWhere('i.private_label_id', s.labelId)
        .whereIn('i.status', ['open', 'partially_paid'])
        .groupBy('il.contract_id')
        .select(
          'il.contract_id',
          db.raw(
            'sum(round(i.balance_minor::numeric * il.amount_minor / nullif(i.total_minor, 0)))::bigint as open_minor',
          ),
        );
      const q = scoped(db('contracts as c'), 'c', s)
        .leftJoin(open.as('ob'), 'ob.contract_id', 'c.id')
        .select(
          'c.id',
          'c.number',
          db.raw("coalesce(c.description, '') as description"),
          'c.product',
          'c.status',
          'c.start_date',
          'c.end_date',
          'c.currency',
          'c.periodic_rent_minor',
          'c.financed_amount_minor',
          db.raw('coalesce(ob.open_minor, 0)::bigint as open_balance_minor'),
        );
      if (f.status) q.andWhere('c.status', f.status);
      if (f.product) q.andWhere('c.product', f.product);
      return q;
    },
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
    base(db, s, f) {
      const q = scoped(db('assets as a'), 'a', s)
        .join('contracts as c', 'c.id', 'a.contract_id')
        .andWhere('c.customer_id', s.customerId)
        .andWhere('c.private_label_id', s.labelId)
        .select(
          'a.id',
          db.raw("concat_ws(', ', nullif(a.city, ''), nullif(a.region, ''), a.country) as location"),
          'a.number',
          'a.description',
          db.raw("coalesce(a.serial_number, a.vin, '') as serial_number"),
          'c.number as contract_number',
          'a.status',
          'a.currency',
          'a.cost_minor',
        );
      if (f.status) q.andWhere('a.status', f.status);
      if (f.region) q.andWhereRaw('lower(a.region) = lower(?)', [f.region]);
      if (f.city) q.andWhereRaw('lower(a.city) = lower(?)', [f.city]);
      if (f.contract) q.andWhereRaw('lower(c.number) = lower(?)', [f.contract]);
      return db.select('*').from(q.as('x'));
    },
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
    base(db, s, f) {
      // Each open invoice's balance, shared between its contracts' lines by amount; days past
      // due counted from the scope's business date.
      const shares = db('invoices as i')
        .join('invoice_lines as il', 'il.invoice_id', 'i.id')
        .join('contracts as c', 'c.id', 'il.contract_id')
        .where('i.customer_id', s.customerId)
        .andWhere('i.private_label_id', s.labelId)
        .andWhere('c.customer_id', s.customerId)
        .andWhere('c.private_label_id', s.labelId)
        .whereIn('i.status', ['open', 'partially_paid'])
        .andWhere('i.balance_minor', '>', 0)
        .select(
          'c.number as contract_number',
          'i.currency',
          db.raw('(?::date - i.due_date) as days', [s.today]),
          db.raw(
            'round(i.balance_minor::numeric * il.amount_minor / nullif(i.total_minor, 0))::bigint as amount',
          ),
        );
      if (f.contract) shares.andWhereRaw('lower(c.number) = lower(?)', [f.contract]);
      const bucket = (cond: string) => `coalesce(sum(amount) filter (where ${cond}), 0)::bigint`;
      return db
        .from(shares.as('s'))
        .select(
          'contract_number',
          'currency',
          db.raw(`${bucket('days <= 0')} as current_minor`),
          db.raw(`${bucket('days between 1 and 30')} as d1_30_minor`),
          db.raw(`${bucket('days between 31 and 60')} as d31_60_minor`),
          db.raw(`${bucket('days between 61 and 90')} as d61_90_minor`),
          db.raw(`${bucket('days > 90')} as d90_plus_minor`),
          db.raw('coalesce(sum(amount), 0)::bigint as total_minor'),
        )
        .groupBy('contract_number', 'currency');
    },
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
    base(db, s, f) {
      const tz = db('private_labels').where('id', s.labelId).select('time_zone');
      const q = scoped(db('payments as p'), 'p', s)
        .leftJoin('payment_methods as m', function () {
          this.on('m.id', 'p.payment_method_id').andOnVal('m.customer_id', s.customerId);
        })
        .select(
          'p.id',
          db.raw(`to_char(p.initiated_at at time zone (${tz.toQuery()}), 'YYYY-MM-DD') as initiated_on`),
          db.raw(
            `coalesce(to_char(p.settled_at at time zone (${tz.toQuery()}), 'YYYY-MM-DD'), '') as settled_on`,
          ),
          db.raw("coalesce(p.gateway_reference, '') as reference"),
          db.raw(
            "case when m.id is null then '' else concat(case m.kind when 'card' then coalesce(m.brand, 'Card') else 'Bank account' end, ' ending ', m.last4) end as method",
          ),
          db.raw(
            `coalesce((select string_agg(i.number, ', ' order by i.number) from payment_allocations pa
               join invoices i on i.id = pa.invoice_id
               where pa.payment_id = p.id and i.customer_id = ? and i.private_label_id = ?), '') as invoices`,
            [s.customerId, s.labelId],
          ),
          'p.status',
          'p.currency',
          'p.amount_minor',
        );
      const out = db.select('*').from(q.as('x'));
      if (f.from) out.where('initiated_on', '>=', f.from);
      if (f.to) out.where('initiated_on', '<=', f.to);
      if (f.status) out.where('status', f.status);
      return out;
    },
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
    base(db, s, f) {
      const months = typeof f.months === 'number' ? f.months : 3;
      const q = scoped(db('schedule_lines as l').join('contracts as c', 'c.id', 'l.contract_id'), 'c', s)
        .andWhere('l.due_date', '>', s.today)
        .andWhere('l.due_date', '<=', addMonths(s.today, months))
        .select(
          'l.id',
          db.raw("to_char(l.due_date, 'YYYY-MM-DD') as due_date"),
          'c.number as contract_number',
          'l.seq',
          'c.currency',
          'l.rent_minor',
          'l.tax_minor',
          db.raw('(l.rent_minor + l.tax_minor) as total_minor'),
        );
      if (f.contract) q.andWhereRaw('lower(c.number) = lower(?)', [f.contract]);
      return db.select('*').from(q.as('x'));
    },
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
