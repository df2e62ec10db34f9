/**
 * Payments, their allocations and status history. Reads take the scope; writes take a transaction.
 * Every time written here comes from the caller (the clock's `now()`), never from a column's
 * default `now()`: the database's clock is not the business clock.
 */
import type { Knex } from 'knex';
import { countRows } from '../../db/knex.ts';
import { countNow, type CountWith } from '../../lib/scope-cache.ts';
import { OPEN_INVOICE, PENDING_PAYMENT } from '../invoices/invoices.repository.ts';
import type { Allocation } from './payments.money.ts';

export interface PaymentRow {
  id: number;
  customerId: number;
  labelId: number;
  methodId: number | null;
  amountMinor: number;
  currency: string;
  status: string;
  initiatedBy: number | null;
  initiatedAt: Date;
  scheduledFor: string | null;
  settledAt: Date | null;
  failedAt: Date | null;
  failureReason: string | null;
  gatewayReference: string | null;
  idempotencyKey: string;
  requestHash: string | null;
  source: string;
  methodKind: string | null;
  methodText: string | null;
  methodToken: string | null;
}

export interface AllocationRow {
  invoiceId: number;
  invoiceNumber: string;
  dueDate: string;
  amountMinor: number;
  balanceMinor: number;
  totalMinor: number;
}

export interface PaymentFilter {
  status?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  methodId?: number | undefined;
  sort: 'date' | '-date' | 'amount' | '-amount';
}

/** A payment's UTC date; must stay identical to the index `payments_scope_list_date`. */
export const PAYMENT_LIST_DATE = `coalesce((p.settled_at at time zone 'UTC')::date, p.scheduled_for, (p.initiated_at at time zone 'UTC')::date)`;
/** A payment's date in the history: the same, in the label's time zone (one binding: the zone). */
export const PAYMENT_LOCAL_DATE = `coalesce((p.settled_at at time zone ?)::date, p.scheduled_for, (p.initiated_at at time zone ?)::date)`;

export interface PaymentListRow {
  id: number;
  /** The payment's date in the label's time zone (YYYY-MM-DD). */
  listDate: string;
  amountMinor: number;
  currency: string;
  status: string;
  source: string;
  initiatedAt: Date;
  settledAt: Date | null;
  scheduledFor: string | null;
  methodText: string | null;
  invoices: string | null;
}

const METHOD_TEXT = `case when m.kind = 'card' then coalesce(m.brand, 'Card') || ' ending ' || m.last4
  when m.kind = 'ach' then coalesce(m.bank_name, 'Bank account') || ' ending ' || m.last4 end`;

export function createPaymentsRepository(db: Knex) {
  const select = (k: Knex) =>
    k('payments as p')
      .leftJoin('payment_methods as m', 'm.id', 'p.payment_method_id')
      .select(
        'p.id',
        'p.customer_id as customerId',
        'p.private_label_id as labelId',
        'p.payment_method_id as methodId',
        'p.amount_minor as amountMinor',
        k.raw('trim(p.currency) as currency'),
        'p.status',
        'p.initiated_by as initiatedBy',
        'p.initiated_at as initiatedAt',
        'p.scheduled_for as scheduledFor',
        'p.settled_at as settledAt',
        'p.failed_at as failedAt',
        'p.failure_reason as failureReason',
        'p.gateway_reference as gatewayReference',
        'p.idempotency_key as idempotencyKey',
        'p.request_hash as requestHash',
        'p.source',
        'm.kind as methodKind',
        k.raw(`${METHOD_TEXT} as "methodText"`),
        'm.gateway_token as methodToken',
      );
  const norm = (r: PaymentRow | undefined): PaymentRow | undefined =>
    r && { ...r, amountMinor: Number(r.amountMinor) };

  return {
    transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    async find(
      customerId: number,
      labelId: number,
      id: number,
      trx: Knex = db,
    ): Promise<PaymentRow | undefined> {
      return norm(
        (await select(trx)
          .where({ 'p.id': id, 'p.customer_id': customerId, 'p.private_label_id': labelId })
          .first()) as PaymentRow | undefined,
      );
    },

    /** For the worker: any customer's payment, by id, locked. */
    async lockById(trx: Knex, id: number): Promise<PaymentRow | undefined> {
      await trx('payments').where({ id }).forUpdate().first('id');
      return norm((await select(trx).where('p.id', id).first()) as PaymentRow | undefined);
    },

    async findByKey(trx: Knex, key: string): Promise<PaymentRow | undefined> {
      return norm((await select(trx).where('p.idempotency_key', key).first()) as PaymentRow | undefined);
    },

    /** INSERT … ON CONFLICT (idempotency_key) DO NOTHING: the id when this call created the row. */
    async insertOnce(
      trx: Knex,
      p: {
        customerId: number;
        labelId: number;
        methodId: number;
        amountMinor: number;
        currency: string;
        status: 'pending' | 'scheduled';
        initiatedBy: number | null;
        scheduledFor: string | null;
        idempotencyKey: string;
        requestHash: string;
        source: 'portal' | 'autopay';
        at: Date;
      },
    ): Promise<number | undefined> {
      const rows = (await trx('payments')
        .insert({
          customer_id: p.customerId,
          private_label_id: p.labelId,
          payment_method_id: p.methodId,
          amount_minor: p.amountMinor,
          currency: p.currency,
          status: p.status,
          initiated_by: p.initiatedBy,
          scheduled_for: p.scheduledFor,
          idempotency_key: p.idempotencyKey,
          request_hash: p.requestHash,
          source: p.source,
          initiated_at: p.at,
          created_at: p.at,
        })
        .onConflict('idempotency_key')
        .ignore()
        .returning('id')) as { id: number }[];
      return rows[0]?.id;
    },

    async addAllocations(trx: Knex, paymentId: number, allocations: Allocation[], at: Date): Promise<void> {
      await trx('payment_allocations').insert(
        allocations.map((a) => ({
          payment_id: paymentId,
          invoice_id: a.invoiceId,
          amount_minor: a.amountMinor,
          created_at: at,
        })),
      );
    },

    async addHistory(
      trx: Knex,
      paymentId: number,
      status: string,
      note: string | null,
      at: Date,
    ): Promise<void> {
      await trx('payment_status_history').insert({ payment_id: paymentId, status, note, at });
    },

    async update(trx: Knex, id: number, fields: Record<string, unknown>): Promise<void> {
      await trx('payments').where({ id }).update(fields);
    },

    /**
     * Locks the invoices (in id order, so two payments never deadlock) and returns what is
     * left to pay on each: balance less what other unsettled payments hold.
     */
    async lockPayable(
      trx: Knex,
      customerId: number,
      labelId: number,
      ids: number[],
    ): Promise<{ id: number; number: string; currency: string; dueDate: string; payableMinor: number }[]> {
      const locked = (await trx('invoices')
        .whereIn('id', ids)
        .andWhere({ customer_id: customerId, private_label_id: labelId })
        .whereIn('status', OPEN_INVOICE)
        .orderBy('id')
        .forUpdate()
        .select(
          'id',
          'number',
          trx.raw('trim(currency) as currency'),
          'due_date as dueDate',
          'balance_minor as balanceMinor',
        )) as {
        id: number;
        number: string;
        currency: string;
        dueDate: string;
        balanceMinor: number;
      }[];
      const held = (await trx('payment_allocations as pa')
        .join('payments as p', 'p.id', 'pa.payment_id')
        .whereIn('pa.invoice_id', ids)
        .whereIn('p.status', PENDING_PAYMENT)
        .groupBy('pa.invoice_id')
        .select('pa.invoice_id as invoiceId', trx.raw('sum(pa.amount_minor)::bigint as held'))) as {
        invoiceId: number;
        held: number;
      }[];
      return locked.map((i) => ({
        id: i.id,
        number: i.number,
        currency: i.currency,
        dueDate: i.dueDate,
        payableMinor: Number(i.balanceMinor) - Number(held.find((h) => h.invoiceId === i.id)?.held ?? 0),
      }));
    },

    /** Locks the payment's invoices in id order and returns them with the allocated amounts. */
    async lockAllocations(trx: Knex, paymentId: number): Promise<AllocationRow[]> {
      const rows = (await trx('invoices as i')
        .join('payment_allocations as pa', 'pa.invoice_id', 'i.id')
        .where('pa.payment_id', paymentId)
        .orderBy('i.id')
        .forUpdate('i')
        .select(
          'i.id as invoiceId',
          'i.number as invoiceNumber',
          'i.due_date as dueDate',
          'pa.amount_minor as amountMinor',
          'i.balance_minor as balanceMinor',
          'i.total_minor as totalMinor',
        )) as AllocationRow[];
      return rows.map(numAlloc);
    },

    async setInvoice(
      trx: Knex,
      id: number,
      balanceMinor: number,
      status: string,
      paidAt: Date | null,
    ): Promise<void> {
      await trx('invoices').where({ id }).update({ balance_minor: balanceMinor, status, paid_at: paidAt });
    },

    async allocations(paymentId: number, trx: Knex = db): Promise<AllocationRow[]> {
      const rows = (await trx('payment_allocations as pa')
        .join('invoices as i', 'i.id', 'pa.invoice_id')
        .where('pa.payment_id', paymentId)
        .orderBy('i.due_date')
        .select(
          'i.id as invoiceId',
          'i.number as invoiceNumber',
          'i.due_date as dueDate',
          'pa.amount_minor as amountMinor',
          'i.balance_minor as balanceMinor',
          'i.total_minor as totalMinor',
        )) as AllocationRow[];
      return rows.map(numAlloc);
    },

    async history(paymentId: number): Promise<{ status: string; note: string | null; at: Date }[]> {
      return db('payment_status_history')
        .where({ payment_id: paymentId })
        .orderBy('at')
        .orderBy('id')
        .select('status', 'note', 'at');
    },

    /** One page of the history; `timeZone` is the label's: a payment's date is its date there. */
    async list(
      customerId: number,
      labelId: number,
      timeZone: string,
      f: PaymentFilter,
      page: number,
      pageSize: number,
      countWith: CountWith = countNow,
    ) {
      const q = db('payments as p').where({ 'p.customer_id': customerId, 'p.private_label_id': labelId });
      if (f.status) q.andWhere('p.status', f.status);
      if (f.methodId) q.andWhere('p.payment_method_id', f.methodId);
      // "Date" is when it settled, else when it is scheduled for, else when it was made, in the
      // label's time zone (as every business date). The index `payments_scope_list_date` holds the
      // UTC date, which is never more than a day away from it: the filters also bound the UTC date
      // (one day wider) so that the index finds the rows, and the order is the UTC date, then the
      // local date (the same order as the local date alone, without sorting a fleet's 30,000
      // payments).
      const utc = PAYMENT_LIST_DATE;
      const local = PAYMENT_LOCAL_DATE;
      const zone = [timeZone, timeZone];
      if (f.from)
        q.andWhereRaw(`${utc} >= ?::date - 1`, [f.from]).andWhereRaw(`${local} >= ?::date`, [
          ...zone,
          f.from,
        ]);
      if (f.to)
        q.andWhereRaw(`${utc} <= ?::date + 1`, [f.to]).andWhereRaw(`${local} <= ?::date`, [...zone, f.to]);
      const [order, orderBindings] =
        f.sort === 'amount'
          ? ['p.amount_minor asc, p.id asc', []]
          : f.sort === '-amount'
            ? ['p.amount_minor desc, p.id desc', []]
            : f.sort === 'date'
              ? [`${utc} asc, ${local} asc, p.id asc`, zone]
              : [`${utc} desc, ${local} desc, p.id desc`, zone];
      // The page's ids first, then the method and the invoices paid for those rows only.
      const pageIds = q
        .clone()
        .orderByRaw(order, orderBindings)
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .select('p.id');
      const [count, items] = await Promise.all([
        countWith(() => countRows(q)),
        db
          .from(pageIds.as('pg'))
          .join('payments as p', 'p.id', 'pg.id')
          .leftJoin('payment_methods as m', 'm.id', 'p.payment_method_id')
          .orderByRaw(order, orderBindings)
          .select(
            'p.id',
            db.raw(`${local}::text as "listDate"`, zone),
            'p.amount_minor as amountMinor',
            db.raw('trim(p.currency) as currency'),
            'p.status',
            'p.source',
            'p.initiated_at as initiatedAt',
            'p.settled_at as settledAt',
            'p.scheduled_for as scheduledFor',
            db.raw(`${METHOD_TEXT} as "methodText"`),
            db.raw(
              `(select string_agg(i.number, ', ' order by i.number) from payment_allocations pa join invoices i on i.id = pa.invoice_id where pa.payment_id = p.id) as invoices`,
            ),
          ) as Promise<PaymentListRow[]>,
      ]);
      return {
        items: items.map((i) => ({ ...i, amountMinor: Number(i.amountMinor) })),
        total: count,
      };
    },

    /** Worker: scheduled payments due by `today`, claimed one at a time with SKIP LOCKED. */
    async dueScheduled(limit: number): Promise<{ id: number; scheduledFor: string; timeZone: string }[]> {
      return db('payments as p')
        .join('private_labels as l', 'l.id', 'p.private_label_id')
        .where('p.status', 'scheduled')
        .orderBy('p.scheduled_for')
        .limit(limit)
        .select('p.id', 'p.scheduled_for as scheduledFor', 'l.time_zone as timeZone');
    },

    /** Moves a scheduled payment to pending if nobody else did; true when this caller claimed it. */
    async claimScheduled(id: number, at: Date): Promise<boolean> {
      return db.transaction(async (trx) => {
        const n = await trx('payments').where({ id, status: 'scheduled' }).update({ status: 'pending' });
        if (n !== 1) return false;
        await trx('payment_status_history').insert({
          payment_id: id,
          status: 'pending',
          note: 'Submitted on its date',
          at,
        });
        return true;
      });
    },

    async stalePending(olderThan: Date, limit: number): Promise<number[]> {
      const rows = (await db('payments')
        .where('status', 'pending')
        .andWhere('created_at', '<', olderThan)
        .orderBy('id')
        .limit(limit)
        .select('id')) as { id: number }[];
      return rows.map((r) => r.id);
    },

    async inProgressIds(limit: number): Promise<number[]> {
      const rows = (await db('payments')
        .where('status', 'in_progress')
        .orderBy('id')
        .limit(limit)
        .select('id')) as {
        id: number;
      }[];
      return rows.map((r) => r.id);
    },

    /** Locks one in-progress payment unless another worker holds it. */
    async lockInProgress(trx: Knex, id: number): Promise<boolean> {
      const row = (await trx('payments')
        .where({ id, status: 'in_progress' })
        .forUpdate()
        .skipLocked()
        .first('id')) as { id: number } | undefined;
      return Boolean(row);
    },

    /** Who a receipt goes to (the payer) and the customer it names. */
    async recipient(
      trx: Knex,
      userId: number | null,
      customerId: number,
    ): Promise<{
      user: { email: string; name: string; wantsReceipts: boolean } | undefined;
      customer: { name: string; number: string };
    }> {
      const user = userId
        ? ((await trx('users')
            .where({ id: userId })
            .first('email', 'name', 'notify_payment_receipts as wantsReceipts')) as
            { email: string; name: string; wantsReceipts: boolean } | undefined)
        : undefined;
      const customer = (await trx('customers').where({ id: customerId }).first('name', 'number')) as {
        name: string;
        number: string;
      };
      return { user, customer };
    },
  };
}

function numAlloc(r: AllocationRow): AllocationRow {
  return {
    ...r,
    amountMinor: Number(r.amountMinor),
    balanceMinor: Number(r.balanceMinor),
    totalMinor: Number(r.totalMinor),
  };
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;
