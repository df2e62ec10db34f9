/** Contracts' reads. Every query filters by the session's customer and private label. */
import type { Knex } from 'knex';
import { countRows } from '../../db/knex.ts';
import type { CountWith } from '../../lib/scope-cache.ts';
import type { Frequency, Product } from '../payoff-quotes/payoff.calc.ts';
import { quoteStatusColumn } from '../payoff-quotes/payoff-quotes.supersede.ts';

export interface ScopeIds {
  customerId: number;
  labelId: number;
}

export const CONTRACT_SORTS = {
  number: ['c.number', 'asc'],
  'number-desc': ['c.number', 'desc'],
  'start-desc': ['c.start_date', 'desc'],
  start: ['c.start_date', 'asc'],
  end: ['c.end_date', 'asc'],
  'end-desc': ['c.end_date', 'desc'],
  'rent-desc': ['c.periodic_rent_minor', 'desc'],
  rent: ['c.periodic_rent_minor', 'asc'],
} as const;
export type ContractSort = keyof typeof CONTRACT_SORTS;

export interface ContractFilters {
  status?: string | undefined;
  product?: string | undefined;
  overdue?: boolean | undefined;
  q?: string | undefined;
  sort: ContractSort;
}

export interface ContractRow {
  id: number;
  number: string;
  description: string | null;
  product: Product;
  status: string;
  startDate: string;
  endDate: string;
  termMonths: number;
  frequency: Frequency;
  paymentsInAdvance: boolean;
  periodicRentMinor: number;
  currency: string;
  financedMinor: number;
  residualMinor: number;
  rate: string;
  securityDepositMinor: number;
  taxRate: string;
  overdue: boolean;
  overdueMinor: number;
}

export interface ScheduleLineRow {
  id: number;
  seq: number;
  dueDate: string;
  rentMinor: number;
  taxMinor: number;
  principalMinor: number;
  interestMinor: number;
  balanceAfterMinor: number;
  invoiceId: number | null;
  invoiceNumber: string | null;
  invoiceStatus: string | null;
  invoiceDueDate: string | null;
}

export interface ContractInvoiceRow {
  id: number;
  number: string;
  issueDate: string;
  dueDate: string;
  status: string;
  totalMinor: number;
  balanceMinor: number;
  currency: string;
  /** The contract's part of the balance (balance × the contract's lines / total). */
  contractBalanceMinor: number;
}

const likeTerm = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const OPEN = ['open', 'partially_paid'];

export function createContractsRepository(db: Knex) {
  // One contract's share of its overdue invoices' balances, driven by the contract's own invoice
  // lines: each invoice is looked up by id (a hash of all the customer's overdue invoices was
  // built instead, 2-11 ms for a large fleet, on every contract and schedule page).
  const overdueSql = (today: string) =>
    db.raw(
      `(select coalesce(sum(round(i.balance_minor * cl.amt::numeric / nullif(i.total_minor, 0))), 0)::bigint
         from (select invoice_id, sum(amount_minor) as amt from invoice_lines
                where contract_id = c.id group by invoice_id) cl
         cross join lateral (
           select balance_minor, total_minor, status, due_date, customer_id, private_label_id
             from invoices where id = cl.invoice_id limit 1) i
        where i.status in ('open','partially_paid') and i.due_date < ?
          and i.customer_id = c.customer_id and i.private_label_id = c.private_label_id) as "overdueMinor"`,
      [today],
    );
  const columns = (today: string) => [
    'c.id',
    'c.number',
    'c.description',
    'c.product',
    'c.status',
    'c.start_date as startDate',
    'c.end_date as endDate',
    'c.term_months as termMonths',
    'c.frequency',
    'c.payments_in_advance as paymentsInAdvance',
    'c.periodic_rent_minor as periodicRentMinor',
    db.raw('trim(c.currency) as currency'),
    'c.financed_amount_minor as financedMinor',
    'c.residual_minor as residualMinor',
    db.raw('c.rate::text as rate'),
    'c.security_deposit_minor as securityDepositMinor',
    db.raw('c.tax_rate::text as "taxRate"'),
    overdueSql(today),
  ];
  const scoped = (s: ScopeIds) =>
    db('contracts as c').where({ 'c.customer_id': s.customerId, 'c.private_label_id': s.labelId });
  const withOverdue = (rows: ContractRow[]): ContractRow[] =>
    rows.map((r) => ({ ...r, overdueMinor: Number(r.overdueMinor), overdue: Number(r.overdueMinor) > 0 }));

  return {
    async list(
      s: ScopeIds,
      today: string,
      f: ContractFilters,
      offset: number,
      limit: number,
      countWith: CountWith,
      overdue: ReadonlyMap<number, number>,
    ): Promise<{ rows: ContractRow[]; total: number }> {
      const base = scoped(s);
      if (f.status) base.andWhere('c.status', f.status);
      if (f.product) base.andWhere('c.product', f.product);
      if (f.overdue)
        base.whereExists((q) =>
          q
            .select(1)
            .from('invoices as i')
            .join('invoice_lines as il', 'il.invoice_id', 'i.id')
            .whereRaw('il.contract_id = c.id')
            .whereIn('i.status', OPEN)
            .where('i.due_date', '<', today)
            .where('i.balance_minor', '>', 0),
        );
      const q = f.q?.trim();
      if (q) {
        const term = likeTerm(q);
        base.andWhere((w) => w.whereILike('c.number', term).orWhereILike('c.description', term));
      }
      const [column, dir] = CONTRACT_SORTS[f.sort];
      // The page's ids first (contracts_scope_number and the other scope indexes give the order),
      // then the columns for those rows only; overdue amounts come from `overdue`.
      const pageIds = base
        .clone()
        .orderBy(column, dir)
        .orderBy('c.number')
        .offset(offset)
        .limit(limit)
        .select('c.id');
      const [count, rows] = await Promise.all([
        countWith(() => countRows(base)),
        db
          .from(pageIds.as('pg'))
          .join('contracts as c', 'c.id', 'pg.id')
          .select(columns(today).slice(0, -1))
          .orderBy(column, dir)
          .orderBy('c.number') as Promise<Omit<ContractRow, 'overdueMinor' | 'overdue'>[]>,
      ]);
      return {
        rows: withOverdue(rows.map((r) => ({ ...r, overdueMinor: overdue.get(r.id) ?? 0, overdue: false }))),
        total: count,
      };
    },

    /**
     * Each contract's overdue amount (the same figure as overdueSql: the contract's share of each
     * overdue invoice's balance), for all of the customer's contracts with one, in one pass over
     * the open overdue invoices (contract lists keep it per data version).
     */
    async overdueByContract(s: ScopeIds, today: string): Promise<Map<number, number>> {
      const rows = (await db.raw(
        `select cl.contract_id as "contractId",
                sum(round(i.balance_minor * cl.amt::numeric / nullif(i.total_minor, 0)))::bigint as "overdueMinor"
           from invoices i
          cross join lateral (
            select il.contract_id, sum(il.amount_minor) as amt from invoice_lines il
             where il.invoice_id = i.id and il.contract_id is not null group by il.contract_id) cl
          where i.customer_id = ? and i.private_label_id = ? and i.status in ('open', 'partially_paid')
            and i.balance_minor > 0 and i.due_date < ?
          group by cl.contract_id`,
        [s.customerId, s.labelId, today],
      )) as { rows: { contractId: number; overdueMinor: string }[] };
      return new Map(rows.rows.map((r) => [r.contractId, Number(r.overdueMinor)]));
    },

    async findById(s: ScopeIds, today: string, id: number): Promise<ContractRow | undefined> {
      const row = (await scoped(s).andWhere('c.id', id).first(columns(today))) as ContractRow | undefined;
      return row ? withOverdue([row])[0] : undefined;
    },

    async schedule(s: ScopeIds, contractId: number): Promise<ScheduleLineRow[]> {
      return db('schedule_lines as l')
        .join('contracts as c', 'c.id', 'l.contract_id')
        .leftJoin('invoices as i', 'i.id', 'l.invoice_id')
        .where({ 'c.id': contractId, 'c.customer_id': s.customerId, 'c.private_label_id': s.labelId })
        .orderBy('l.seq')
        .select(
          'l.id',
          'l.seq',
          'l.due_date as dueDate',
          'l.rent_minor as rentMinor',
          'l.tax_minor as taxMinor',
          'l.principal_minor as principalMinor',
          'l.interest_minor as interestMinor',
          'l.balance_after_minor as balanceAfterMinor',
          'l.invoice_id as invoiceId',
          'i.number as invoiceNumber',
          'i.status as invoiceStatus',
          'i.due_date as invoiceDueDate',
        ) as Promise<ScheduleLineRow[]>;
    },

    async openInvoices(s: ScopeIds, contractId: number): Promise<ContractInvoiceRow[]> {
      const rows = (await db('invoices as i')
        .join(
          db('invoice_lines')
            .where('contract_id', contractId)
            .groupBy('invoice_id')
            .select('invoice_id', db.raw('sum(amount_minor)::bigint as amt'))
            .as('cl'),
          'cl.invoice_id',
          'i.id',
        )
        .where({ 'i.customer_id': s.customerId, 'i.private_label_id': s.labelId })
        .whereIn('i.status', OPEN)
        .orderBy('i.due_date')
        .orderBy('i.id')
        .select(
          'i.id',
          'i.number',
          'i.issue_date as issueDate',
          'i.due_date as dueDate',
          'i.status',
          'i.total_minor as totalMinor',
          'i.balance_minor as balanceMinor',
          db.raw('trim(i.currency) as currency'),
          db.raw(
            'round(i.balance_minor * cl.amt::numeric / nullif(i.total_minor, 0))::bigint as "contractBalanceMinor"',
          ),
        )) as ContractInvoiceRow[];
      return rows.map((r) => ({ ...r, contractBalanceMinor: Number(r.contractBalanceMinor) }));
    },

    async assets(s: ScopeIds, contractId: number) {
      return db('assets')
        .where({ contract_id: contractId, customer_id: s.customerId, private_label_id: s.labelId })
        .orderBy('number')
        .select(
          'id',
          'number',
          'description',
          'make',
          'model',
          'serial_number as serialNumber',
          'vin',
          'category',
          'cost_minor as costMinor',
          db.raw('trim(currency) as currency'),
          'status',
          'city',
          'region',
          db.raw('trim(country) as country'),
        ) as Promise<
        {
          id: number;
          number: string;
          description: string;
          make: string | null;
          model: string | null;
          serialNumber: string | null;
          vin: string | null;
          category: string | null;
          costMinor: number;
          currency: string;
          status: string;
          city: string | null;
          region: string | null;
          country: string | null;
        }[]
      >;
    },

    async documents(s: ScopeIds, contractId: number) {
      return db('documents as d')
        .join('contracts as c', 'c.id', 'd.contract_id')
        .where({ 'c.id': contractId, 'c.customer_id': s.customerId, 'c.private_label_id': s.labelId })
        .where('d.customer_id', s.customerId)
        .orderBy('d.created_at', 'desc')
        .orderBy('d.id', 'desc')
        .select(
          'd.id',
          'd.category',
          'd.file_name as fileName',
          'd.media_type as mediaType',
          'd.size_bytes as sizeBytes',
          'd.source',
          'd.note',
          'd.created_at as createdAt',
        ) as Promise<
        {
          id: number;
          category: string;
          fileName: string;
          mediaType: string;
          sizeBytes: number;
          source: string;
          note: string | null;
          createdAt: Date;
        }[]
      >;
    },

    /** The contract's quotes; a stale issued one shows as superseded (worked out here, not written). */
    async payoffQuotes(s: ScopeIds, contractId: number) {
      return db('payoff_quotes as q')
        .where({
          'q.contract_id': contractId,
          'q.customer_id': s.customerId,
          'q.private_label_id': s.labelId,
        })
        .orderBy('q.created_at', 'desc')
        .orderBy('q.id', 'desc')
        .select(
          'q.id',
          'q.number',
          'q.quote_date as quoteDate',
          'q.payoff_date as payoffDate',
          'q.valid_until as validUntil',
          'q.total_minor as totalMinor',
          db.raw('trim(q.currency) as currency'),
          quoteStatusColumn(db, 'q'),
        ) as Promise<
        {
          id: number;
          number: string;
          quoteDate: string;
          payoffDate: string;
          validUntil: string;
          totalMinor: number;
          currency: string;
          status: string;
        }[]
      >;
    },

    async serviceRequests(s: ScopeIds, contractId: number) {
      return db('service_requests')
        .where({ contract_id: contractId, customer_id: s.customerId, private_label_id: s.labelId })
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .select('id', 'number', 'subject', 'category', 'status', 'created_at as createdAt') as Promise<
        { id: number; number: string; subject: string; category: string; status: string; createdAt: Date }[]
      >;
    },
  };
}
export type ContractsRepository = ReturnType<typeof createContractsRepository>;
