/**
 * The SQL of the reports that a fleet makes large (thousands of contracts, tens of thousands of
 * invoices, payments and assets). Each returns the same rows and figures as the report's base
 * query, but lets the preview read its page in index order and its totals from indexes
 * (migrations/20261128000800_perf_reports.ts) rather than sort and join the whole book twice
 * per request. Every query filters by customer_id AND private_label_id.
 */
import type { Knex } from 'knex';
import type { Filters, ReportScope } from './reports.definitions.ts';

function scoped(q: Knex.QueryBuilder, alias: string, s: ReportScope): Knex.QueryBuilder {
  return q.where(`${alias}.customer_id`, s.customerId).andWhere(`${alias}.private_label_id`, s.labelId);
}

/** An open invoice line's share of its invoice's balance (in proportion to the line's amount). */
const LINE_SHARE = 'round(i.balance_minor::numeric * il.amount_minor / nullif(i.total_minor, 0))';

/** The customer's open invoices joined to their lines (index-only: invoices_report_open, invoice_lines_report). */
function openLines(db: Knex, s: ReportScope): Knex.QueryBuilder {
  return scoped(db('invoices as i'), 'i', s)
    .join('invoice_lines as il', 'il.invoice_id', 'i.id')
    .whereIn('i.status', ['open', 'partially_paid']);
}

// ---- contract summary ----------------------------------------------------------------------

function contracts(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  const q = scoped(db('contracts as c'), 'c', s);
  if (f.status) q.andWhere('c.status', f.status);
  if (f.product) q.andWhere('c.product', f.product);
  return q;
}

const CONTRACT_COLUMNS = (db: Knex) => [
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
];

/** Every contract with its open balance: the open lines aggregated once, joined in. */
export function contractSummaryRows(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  const open = openLines(db, s)
    .groupBy('il.contract_id')
    .select('il.contract_id', db.raw(`sum(${LINE_SHARE})::bigint as open_minor`));
  return contracts(db, s, f)
    .leftJoin(open.as('ob'), 'ob.contract_id', 'c.id')
    .select(...CONTRACT_COLUMNS(db), db.raw('coalesce(ob.open_minor, 0)::bigint as open_balance_minor'));
}

/** Per contract currency: the contracts' sums, and their open lines' shares summed directly. */
export function contractSummaryTotals(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  const cs = contracts(db, s, f)
    .groupBy('c.currency')
    .select(
      'c.currency',
      db.raw('count(*)::int as rows'),
      db.raw('coalesce(sum(c.periodic_rent_minor), 0)::bigint as periodic_rent_minor'),
      db.raw('coalesce(sum(c.financed_amount_minor), 0)::bigint as financed_amount_minor'),
    );
  const ob = openLines(db, s)
    .join(contracts(db, s, f).select('c.id', 'c.currency').as('oc'), 'oc.id', 'il.contract_id')
    .groupBy('oc.currency')
    .select('oc.currency', db.raw(`sum(${LINE_SHARE}) as open_minor`));
  return db
    .from(cs.as('cs'))
    .leftJoin(ob.as('ob'), 'ob.currency', 'cs.currency')
    .select('cs.*', db.raw('coalesce(ob.open_minor, 0)::bigint as open_balance_minor'))
    .orderBy('cs.currency');
}

// ---- asset listing -------------------------------------------------------------------------

/** Same text as concat_ws(', ', city, region, country) skipping empty parts; indexed. */
const LOCATION = 'report_asset_location(a.city, a.region, a.country)';

function assets(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  const q = scoped(db('assets as a'), 'a', s)
    .join('contracts as c', 'c.id', 'a.contract_id')
    .andWhere('c.customer_id', s.customerId)
    .andWhere('c.private_label_id', s.labelId);
  if (f.status) q.andWhere('a.status', f.status);
  if (f.region) q.andWhereRaw('lower(a.region) = lower(?)', [f.region]);
  if (f.city) q.andWhereRaw('lower(a.city) = lower(?)', [f.city]);
  if (f.contract) q.andWhereRaw('lower(c.number) = lower(?)', [f.contract]);
  return q;
}

export function assetRows(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  return assets(db, s, f).select(
    'a.id',
    db.raw(`${LOCATION} as location`),
    'a.number',
    'a.description',
    db.raw("coalesce(a.serial_number, a.vin, '') as serial_number"),
    'c.number as contract_number',
    'a.status',
    'a.currency',
    'a.cost_minor',
  );
}

/** A page in location order, read from assets_report_location. */
export function assetPage(db: Knex, s: ReportScope, f: Filters, limit: number, offset: number) {
  return assetRows(db, s, f).orderByRaw(`${LOCATION}, a.number, a.id`).limit(limit).offset(offset);
}

export function assetTotals(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  return assets(db, s, f)
    .groupBy('a.currency')
    .orderBy('a.currency')
    .select(
      'a.currency',
      db.raw('count(*)::int as rows'),
      db.raw('coalesce(sum(a.cost_minor), 0)::bigint as cost_minor'),
    );
}

// ---- invoice aging -------------------------------------------------------------------------

/**
 * Per contract and currency, each open invoice's balance shared between its lines by amount,
 * bucketed by days past due (from the scope's business date). Aggregated by contract id first
 * (contract numbers are unique), then the contracts' numbers joined to the groups.
 */
export function agingRows(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  const days = `(?::date - i.due_date)`;
  const bucket = (cond: string, alias: string) =>
    db.raw(`coalesce(sum(${LINE_SHARE}::bigint) filter (where ${days} ${cond}), 0)::bigint as ${alias}`, [
      s.today,
    ]);
  const open = openLines(db, s)
    .andWhere('i.balance_minor', '>', 0)
    .groupBy('il.contract_id', 'i.currency')
    .select(
      'il.contract_id',
      'i.currency',
      bucket('<= 0', 'current_minor'),
      bucket('between 1 and 30', 'd1_30_minor'),
      bucket('between 31 and 60', 'd31_60_minor'),
      bucket('between 61 and 90', 'd61_90_minor'),
      bucket('> 90', 'd90_plus_minor'),
      db.raw(`coalesce(sum(${LINE_SHARE}::bigint), 0)::bigint as total_minor`),
    );
  if (f.contract) {
    open.whereIn(
      'il.contract_id',
      scoped(db('contracts as c'), 'c', s)
        .whereRaw('lower(c.number) = lower(?)', [f.contract])
        .select('c.id'),
    );
  }
  return scoped(db('contracts as c'), 'c', s)
    .join(open.as('g'), 'g.contract_id', 'c.id')
    .select(
      'c.number as contract_number',
      'g.currency',
      'g.current_minor',
      'g.d1_30_minor',
      'g.d31_60_minor',
      'g.d61_90_minor',
      'g.d90_plus_minor',
      'g.total_minor',
    );
}

// ---- payment history -----------------------------------------------------------------------

/** The label's time zone: payment dates are the label's business dates. */
const tzOf = (db: Knex, s: ReportScope) =>
  db.raw('(select time_zone from private_labels where id = ?)', [s.labelId]);

/**
 * The customer's payments made within the filter's dates (as dates in the label's time zone,
 * expressed as a range of instants so that payments_report_initiated serves it) and status.
 */
function payments(db: Knex, s: ReportScope, f: Filters, alias: string): Knex.QueryBuilder {
  const q = scoped(db(`payments as ${alias}`), alias, s);
  if (f.from)
    q.andWhere(`${alias}.initiated_at`, '>=', db.raw('?::timestamp at time zone ?', [f.from, tzOf(db, s)]));
  if (f.to) {
    q.andWhere(
      `${alias}.initiated_at`,
      '<',
      db.raw('(?::date + 1)::timestamp at time zone ?', [f.to, tzOf(db, s)]),
    );
  }
  if (f.status) q.andWhere(`${alias}.status`, f.status);
  return q;
}

export function paymentRows(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  const tz = tzOf(db, s);
  return payments(db, s, f, 'p')
    .leftJoin('payment_methods as m', function () {
      this.on('m.id', 'p.payment_method_id').andOnVal('m.customer_id', s.customerId);
    })
    .select(
      'p.id',
      db.raw(`to_char(p.initiated_at at time zone ?, 'YYYY-MM-DD') as initiated_on`, [tz]),
      db.raw(`coalesce(to_char(p.settled_at at time zone ?, 'YYYY-MM-DD'), '') as settled_on`, [tz]),
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
}

/**
 * A page in (date made, id) order without sorting every payment: the payments that can be in
 * the first offset + limit are those made before the (offset + limit)-th one by time made plus
 * three days (a date in any time zone spans less than that of instants, even across an offset
 * change at midnight); only those are sorted.
 */
export function paymentPage(db: Knex, s: ReportScope, f: Filters, limit: number, offset: number) {
  const edge = payments(db, s, f, 'e')
    .orderBy('e.initiated_at')
    .offset(offset + limit - 1)
    .limit(1)
    .select(db.raw("e.initiated_at + interval '3 days'"));
  return paymentRows(db, s, f)
    .andWhere('p.initiated_at', '<', db.raw(`coalesce(?, 'infinity'::timestamptz)`, [edge]))
    .orderByRaw('(p.initiated_at at time zone ?)::date, p.id', [tzOf(db, s)])
    .limit(limit)
    .offset(offset);
}

export function paymentTotals(db: Knex, s: ReportScope, f: Filters): Knex.QueryBuilder {
  return payments(db, s, f, 'p')
    .groupBy('p.currency')
    .orderBy('p.currency')
    .select(
      'p.currency',
      db.raw('count(*)::int as rows'),
      db.raw('coalesce(sum(p.amount_minor), 0)::bigint as amount_minor'),
    );
}

// ---- upcoming payments ---------------------------------------------------------------------

function upcoming(db: Knex, s: ReportScope, f: Filters, until: string): Knex.QueryBuilder {
  // The lines' own customer and label (schedule_lines_scope_due gives the page in order), and
  // the contracts' (the same, said so the join reads only the customer's contracts).
  const lines = scoped(db('schedule_lines as l').join('contracts as c', 'c.id', 'l.contract_id'), 'l', s);
  const q = scoped(lines, 'c', s).andWhere('l.due_date', '>', s.today).andWhere('l.due_date', '<=', until);
  // The lessee's cash plan: only what is still to pay. A paid-off or terminated contract bills
  // nothing more, and a period whose invoice is already paid (autopay, an early payment) or void
  // is not upcoming.
  q.whereNotIn('c.status', ['paid_off', 'terminated']).andWhere((w) =>
    w
      .whereNull('l.invoice_id')
      .orWhereNotExists((e) =>
        e.from('invoices as pi').whereRaw('pi.id = l.invoice_id').whereIn('pi.status', ['paid', 'void']),
      ),
  );
  if (f.contract) q.andWhereRaw('lower(c.number) = lower(?)', [f.contract]);
  return q;
}

/** Due dates come back as 'YYYY-MM-DD' (the pg DATE parser), sortable as dates. */
export function upcomingRows(db: Knex, s: ReportScope, f: Filters, until: string): Knex.QueryBuilder {
  return upcoming(db, s, f, until).select(
    'l.id',
    'l.due_date',
    'c.number as contract_number',
    'l.seq',
    'c.currency',
    'l.rent_minor',
    'l.tax_minor',
    db.raw('(l.rent_minor + l.tax_minor) as total_minor'),
  );
}

export function upcomingPage(
  db: Knex,
  s: ReportScope,
  f: Filters,
  until: string,
  limit: number,
  offset: number,
) {
  return upcomingRows(db, s, f, until)
    .orderBy([{ column: 'l.due_date' }, { column: 'l.id' }])
    .limit(limit)
    .offset(offset);
}

export function upcomingTotals(db: Knex, s: ReportScope, f: Filters, until: string): Knex.QueryBuilder {
  return upcoming(db, s, f, until)
    .groupBy('c.currency')
    .orderBy('c.currency')
    .select(
      'c.currency',
      db.raw('count(*)::int as rows'),
      db.raw('coalesce(sum(l.rent_minor), 0)::bigint as rent_minor'),
      db.raw('coalesce(sum(l.tax_minor), 0)::bigint as tax_minor'),
      db.raw('coalesce(sum(l.rent_minor + l.tax_minor), 0)::bigint as total_minor'),
    );
}
