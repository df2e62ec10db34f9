/** Invoice reads. Every query takes the customer and label of the session's scope. */
import type { Knex } from 'knex';
import { createContractFilterQueries } from '../contracts/contract-filter.repository.ts';

/** Payment statuses whose allocations hold part of an invoice's balance until they settle or fail. */
export const PENDING_PAYMENT = ['pending', 'scheduled', 'in_progress'] as const;
export const OPEN_INVOICE = ['open', 'partially_paid'] as const;

export interface InvoiceFilter {
  status: 'open' | 'overdue' | 'paid' | 'all';
  from?: string | undefined;
  to?: string | undefined;
  contractId?: number | undefined;
  q?: string | undefined;
  sort: 'due' | '-due' | 'amount' | '-amount' | 'number' | '-number';
}

export interface InvoiceRow {
  id: number;
  number: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  totalMinor: number;
  balanceMinor: number;
  status: string;
  /** Part of the balance held by payments not settled yet (scheduled, in progress). */
  pendingMinor: number;
  /** The part of `pendingMinor` held by scheduled payments, and the earliest date one is scheduled for. */
  scheduledMinor: number;
  scheduledFor: string | null;
  contracts: string | null;
}

export interface InvoiceSums {
  total: number;
  sums: { currency: string; totalMinor: number; balanceMinor: number }[];
}

export interface InvoiceLine {
  id: number;
  contractId: number | null;
  contractNumber: string | null;
  kind: string;
  description: string;
  amountMinor: number;
}

export interface AppliedPayment {
  paymentId: number;
  amountMinor: number;
  status: string;
  initiatedAt: Date;
  settledAt: Date | null;
  scheduledFor: string | null;
  methodText: string | null;
}

const SORTS: Record<InvoiceFilter['sort'], [string, 'asc' | 'desc']> = {
  due: ['i.due_date', 'asc'],
  '-due': ['i.due_date', 'desc'],
  amount: ['i.balance_minor', 'asc'],
  '-amount': ['i.balance_minor', 'desc'],
  number: ['i.number', 'asc'],
  '-number': ['i.number', 'desc'],
};

export function createInvoicesRepository(db: Knex) {
  const pendingSub = (k: Knex) =>
    k('payment_allocations as pa')
      .join('payments as p', 'p.id', 'pa.payment_id')
      .whereRaw('pa.invoice_id = i.id')
      .whereIn('p.status', PENDING_PAYMENT)
      .select(k.raw('coalesce(sum(pa.amount_minor), 0)::bigint'));
  const scheduledSub = (k: Knex, what: string) =>
    k('payment_allocations as pa')
      .join('payments as p', 'p.id', 'pa.payment_id')
      .whereRaw('pa.invoice_id = i.id')
      .where('p.status', 'scheduled')
      .select(k.raw(what));

  const columns = (k: Knex) => [
    'i.id',
    'i.number',
    'i.issue_date as issueDate',
    'i.due_date as dueDate',
    k.raw('trim(i.currency) as currency'),
    'i.total_minor as totalMinor',
    'i.balance_minor as balanceMinor',
    'i.status',
    pendingSub(k).as('pendingMinor'),
    scheduledSub(k, 'coalesce(sum(pa.amount_minor), 0)::bigint').as('scheduledMinor'),
    scheduledSub(k, 'min(p.scheduled_for)').as('scheduledFor'),
    k.raw(
      `(select string_agg(distinct c.number, ', ') from invoice_lines il join contracts c on c.id = il.contract_id where il.invoice_id = i.id) as contracts`,
    ),
  ];

  function filtered(customerId: number, labelId: number, f: InvoiceFilter, today: string) {
    const q = db('invoices as i').where({ 'i.customer_id': customerId, 'i.private_label_id': labelId });
    if (f.status === 'open') q.whereIn('i.status', OPEN_INVOICE).andWhere('i.balance_minor', '>', 0);
    if (f.status === 'overdue')
      q.whereIn('i.status', OPEN_INVOICE)
        .andWhere('i.balance_minor', '>', 0)
        .andWhere('i.due_date', '<', today);
    if (f.status === 'paid') q.where('i.status', 'paid');
    if (f.from) q.andWhere('i.due_date', '>=', f.from);
    if (f.to) q.andWhere('i.due_date', '<=', f.to);
    if (f.q) q.andWhere('i.number', 'ilike', `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    if (f.contractId)
      q.whereExists(
        db('invoice_lines as il').whereRaw('il.invoice_id = i.id').andWhere('il.contract_id', f.contractId),
      );
    return q;
  }

  return {
    /** One page of the filtered list, in the filter's order. */
    async page(
      customerId: number,
      labelId: number,
      f: InvoiceFilter,
      today: string,
      page: number,
      pageSize: number,
    ): Promise<InvoiceRow[]> {
      const [col, dir] = SORTS[f.sort];
      // Page the ids first (from the index), then compute the per-invoice figures for the page's
      // rows only: correlated subqueries in the select list would run for every skipped row too.
      const ids = filtered(customerId, labelId, f, today)
        .orderBy(col, dir)
        .orderBy('i.id', dir)
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .select('i.id');
      const items = (await db
        .from(ids.as('pg'))
        .join('invoices as i', 'i.id', 'pg.id')
        .orderBy(col, dir)
        .orderBy('i.id', dir)
        .select(columns(db))) as InvoiceRow[];
      return items.map(norm);
    },

    /** How many invoices the filter finds and their sums per currency. */
    async sums(customerId: number, labelId: number, f: InvoiceFilter, today: string): Promise<InvoiceSums> {
      // Grouped on the column itself so the sums come from the index alone (invoices_scope_sums).
      const sums = (await filtered(customerId, labelId, f, today)
        .groupBy('i.currency')
        .select(
          'i.currency',
          db.raw('count(*)::int as n'),
          db.raw('coalesce(sum(i.total_minor), 0)::bigint as "totalMinor"'),
          db.raw('coalesce(sum(i.balance_minor), 0)::bigint as "balanceMinor"'),
        )) as { currency: string; n: number; totalMinor: number; balanceMinor: number }[];
      return {
        total: sums.reduce((s, r) => s + r.n, 0),
        sums: sums.map((s) => ({
          currency: s.currency.trim(),
          totalMinor: Number(s.totalMinor),
          balanceMinor: Number(s.balanceMinor),
        })),
      };
    },

    async find(
      customerId: number,
      labelId: number,
      id: number,
      trx: Knex = db,
    ): Promise<InvoiceRow | undefined> {
      const row = (await trx('invoices as i')
        .where({ 'i.id': id, 'i.customer_id': customerId, 'i.private_label_id': labelId })
        .first(columns(trx))) as InvoiceRow | undefined;
      return row && norm(row);
    },

    /** Open invoices with something left to pay, for the payment form. */
    async payable(
      customerId: number,
      labelId: number,
      ids?: number[],
      trx: Knex = db,
    ): Promise<InvoiceRow[]> {
      const q = trx('invoices as i')
        .where({ 'i.customer_id': customerId, 'i.private_label_id': labelId })
        .whereIn('i.status', OPEN_INVOICE)
        .andWhere('i.balance_minor', '>', 0);
      if (ids) q.whereIn('i.id', ids);
      const rows = (await q.orderBy('i.due_date').orderBy('i.id').select(columns(trx))) as InvoiceRow[];
      return rows.map(norm);
    },

    async lines(invoiceId: number): Promise<InvoiceLine[]> {
      return db('invoice_lines as il')
        .leftJoin('contracts as c', 'c.id', 'il.contract_id')
        .where('il.invoice_id', invoiceId)
        .orderBy('c.number')
        .orderBy('il.id')
        .select(
          'il.id',
          'il.contract_id as contractId',
          'c.number as contractNumber',
          'il.kind',
          'il.description',
          'il.amount_minor as amountMinor',
        );
    },

    async applied(invoiceId: number): Promise<AppliedPayment[]> {
      return db('payment_allocations as pa')
        .join('payments as p', 'p.id', 'pa.payment_id')
        .leftJoin('payment_methods as m', 'm.id', 'p.payment_method_id')
        .where('pa.invoice_id', invoiceId)
        .orderBy('p.initiated_at', 'desc')
        .select(
          'p.id as paymentId',
          'pa.amount_minor as amountMinor',
          'p.status',
          'p.initiated_at as initiatedAt',
          'p.settled_at as settledAt',
          'p.scheduled_for as scheduledFor',
          db.raw(
            `case when m.kind = 'card' then coalesce(m.brand, 'Card') || ' ending ' || m.last4 when m.kind = 'ach' then coalesce(m.bank_name, 'Bank account') || ' ending ' || m.last4 end as "methodText"`,
          ),
        );
    },

    ...createContractFilterQueries(db),
  };
}

function norm(r: InvoiceRow): InvoiceRow {
  return {
    ...r,
    pendingMinor: Number(r.pendingMinor),
    scheduledMinor: Number(r.scheduledMinor),
    totalMinor: Number(r.totalMinor),
    balanceMinor: Number(r.balanceMinor),
  };
}

export type InvoicesRepository = ReturnType<typeof createInvoicesRepository>;
