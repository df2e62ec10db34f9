/** Home's reads. Every query takes the customer and label of the session's scope. */
import type { Knex } from 'knex';
import type { ExposureRow, OpenBalanceRow, Rate } from './home.figures.ts';

export interface PaymentSummary {
  id: number;
  amountMinor: number;
  currency: string;
  status: string;
  initiatedAt: Date;
  settledAt: Date | null;
}

export interface ContractSummary {
  id: number;
  number: string;
  description: string | null;
  product: string;
  status: string;
  startDate: string;
  endDate: string;
  periodicRentMinor: number;
  currency: string;
  oldestOverdue: string | null;
}

export interface PendingAction {
  kind: 'location_change' | 'service_request' | 'payoff_quote';
  id: number;
  number: string;
  status: string;
  subject: string;
  createdAt: Date;
}

const OPEN = ['open', 'partially_paid'];

export function createHomeRepository(db: Knex) {
  return {
    async openBalances(customerId: number, labelId: number, today: string): Promise<OpenBalanceRow[]> {
      const rows = await db('invoices')
        .where({ customer_id: customerId, private_label_id: labelId })
        .whereIn('status', OPEN)
        .andWhere('balance_minor', '>', 0)
        .groupBy('currency')
        .select(
          'currency',
          db.raw('coalesce(sum(balance_minor) filter (where due_date < ?), 0)::bigint as "overdueMinor"', [
            today,
          ]),
          db.raw('min(due_date) filter (where due_date < ?) as "oldestOverdue"', [today]),
          db.raw('coalesce(sum(balance_minor) filter (where due_date >= ?), 0)::bigint as "nextDueMinor"', [
            today,
          ]),
          db.raw('min(due_date) filter (where due_date >= ?) as "nextDueDate"', [today]),
          db.raw('count(*) filter (where due_date < ?)::int as "overdueCount"', [today]),
        );
      return (rows as (OpenBalanceRow & { currency: string })[]).map((r) => ({
        ...r,
        currency: r.currency.trim(),
      }));
    },

    /** The latest settled payment and up to 20 in progress, in one statement. */
    async paymentSummaries(
      customerId: number,
      labelId: number,
    ): Promise<{ latest: PaymentSummary | undefined; inProgress: PaymentSummary[] }> {
      const cols = [
        'id',
        'amount_minor as amountMinor',
        db.raw('trim(currency) as currency'),
        'status',
        'initiated_at as initiatedAt',
        'settled_at as settledAt',
      ];
      const scope = { customer_id: customerId, private_label_id: labelId };
      const latest = db('payments')
        .where({ ...scope, status: 'settled' })
        .orderBy('settled_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .select(cols);
      const inProgress = db('payments')
        .where({ ...scope, status: 'in_progress' })
        .orderBy('initiated_at', 'desc')
        .limit(20)
        .select(cols);
      const rows = (await db.unionAll([latest, inProgress], true)) as PaymentSummary[];
      return {
        latest: rows.find((r) => r.status === 'settled'),
        inProgress: rows.filter((r) => r.status === 'in_progress'),
      };
    },

    /**
     * The contracts card: overdue contracts first (oldest overdue first), then active ones, then
     * the most recent. The overdue ones come from the open-invoice index (a few rows), so the
     * contract list is still read with a limit.
     */
    async recentContracts(
      customerId: number,
      labelId: number,
      today: string,
      limit: number,
    ): Promise<ContractSummary[]> {
      const overdueRows = (await db('invoices as i')
        .join('invoice_lines as il', 'il.invoice_id', 'i.id')
        .where({ 'i.customer_id': customerId, 'i.private_label_id': labelId })
        .whereIn('i.status', OPEN)
        .andWhere('i.balance_minor', '>', 0)
        .andWhere('i.due_date', '<', today)
        .whereNotNull('il.contract_id')
        .groupBy('il.contract_id')
        .orderByRaw('min(i.due_date) asc')
        .orderBy('il.contract_id')
        .limit(limit)
        .select('il.contract_id as id')) as { id: number }[];
      const overdueIds = overdueRows.map((r) => r.id);
      const oldestOverdue = db('invoice_lines as il')
        .join('invoices as i', 'i.id', 'il.invoice_id')
        .whereRaw('il.contract_id = c.id')
        .whereIn('i.status', OPEN)
        .andWhere('i.balance_minor', '>', 0)
        .andWhere('i.due_date', '<', today)
        .min('i.due_date');
      const rows = (await db('contracts as c')
        .where({ 'c.customer_id': customerId, 'c.private_label_id': labelId })
        .orderByRaw('(c.id = any(?::int[])) desc', [overdueIds])
        .orderByRaw("(c.status = 'active') desc")
        .orderBy('c.start_date', 'desc')
        .orderBy('c.id', 'desc')
        .limit(limit)
        .select(
          'c.id',
          'c.number',
          'c.description',
          'c.product',
          'c.status',
          'c.start_date as startDate',
          'c.end_date as endDate',
          'c.periodic_rent_minor as periodicRentMinor',
          db.raw('trim(c.currency) as currency'),
          oldestOverdue.as('oldestOverdue'),
        )) as ContractSummary[];
      const rank = (c: ContractSummary): number => {
        const i = overdueIds.indexOf(c.id);
        return i === -1 ? overdueIds.length : i;
      };
      return rows
        .map((r, i) => ({ r, i }))
        .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
        .map((x) => x.r);
    },

    async contractCounts(customerId: number, labelId: number): Promise<{ total: number; active: number }> {
      const row = (await db('contracts')
        .where({ customer_id: customerId, private_label_id: labelId })
        .first(
          db.raw('count(*)::int as total'),
          db.raw("count(*) filter (where status = 'active')::int as active"),
        )) as { total: number; active: number } | undefined;
      return row ?? { total: 0, active: 0 };
    },

    /**
     * Remaining principal of active contracts: the balance after the last period due by today.
     * Exposure is the customer's, whichever brand shows it: every label counts (docs/domain.md,
     * Credit corner), as the credit limit is the customer's.
     */
    async activePrincipal(customerId: number, today: string): Promise<ExposureRow[]> {
      const rows = (await db('contracts as c')
        .where({ 'c.customer_id': customerId, 'c.status': 'active' })
        .groupBy('c.currency')
        .select(
          db.raw('trim(c.currency) as currency'),
          db.raw(
            `coalesce(sum(coalesce((select s.balance_after_minor from schedule_lines s
               where s.contract_id = c.id and s.due_date <= ? order by s.due_date desc, s.seq desc limit 1),
               c.financed_amount_minor)), 0)::bigint as "principalMinor"`,
            [today],
          ),
        )) as ExposureRow[];
      return rows;
    },

    /** Open invoice balances of the customer under every label, by currency (credit exposure). */
    async openExposure(customerId: number): Promise<OpenBalanceRow[]> {
      const rows = (await db('invoices')
        .where({ customer_id: customerId })
        .whereIn('status', OPEN)
        .andWhere('balance_minor', '>', 0)
        .groupBy('currency')
        .select(
          db.raw('trim(currency) as currency'),
          db.raw('coalesce(sum(balance_minor), 0)::bigint as "nextDueMinor"'),
        )) as { currency: string; nextDueMinor: number }[];
      return rows.map((r) => ({
        currency: r.currency,
        nextDueMinor: Number(r.nextDueMinor),
        overdueMinor: 0,
        oldestOverdue: null,
        nextDueDate: null,
        overdueCount: 0,
      }));
    },

    async latestRates(today: string): Promise<Rate[]> {
      const rows = (await db
        .select(
          db.raw(
            'distinct on (from_currency, to_currency) trim(from_currency) as "from", trim(to_currency) as "to", rate::text as rate, as_of as "asOf"',
          ),
        )
        .from('exchange_rates')
        .where('as_of', '<=', today)
        .orderBy([
          { column: 'from_currency' },
          { column: 'to_currency' },
          { column: 'as_of', order: 'desc' },
        ])) as Rate[];
      return rows;
    },

    async pendingActions(
      customerId: number,
      labelId: number,
      limit: number,
      kinds: readonly string[],
    ): Promise<{ items: PendingAction[]; total: number }> {
      if (kinds.length === 0) return { items: [], total: 0 };
      const scope = { customer_id: customerId, private_label_id: labelId };
      const union = db
        .from('location_change_requests')
        .where(scope)
        .whereIn('status', ['submitted', 'in_review', 'approved'])
        .select(
          db.raw("'location_change' as kind"),
          'id',
          'number',
          'status',
          db.raw("'Asset location change to ' || city as subject"),
          'created_at',
        )
        .unionAll((q) =>
          q
            .from('service_requests')
            .where(scope)
            .whereIn('status', ['open', 'in_progress', 'waiting_on_customer'])
            .select(db.raw("'service_request' as kind"), 'id', 'number', 'status', 'subject', 'created_at'),
        )
        .unionAll((q) =>
          q
            .from('payoff_quotes as p')
            .join('contracts as c', 'c.id', 'p.contract_id')
            .where({ 'p.customer_id': customerId, 'p.private_label_id': labelId, 'p.status': 'in_review' })
            .select(
              db.raw("'payoff_quote' as kind"),
              'p.id',
              'p.number',
              'p.status',
              db.raw("'Payoff quote for contract ' || c.number as subject"),
              'p.created_at',
            ),
        );
      // One statement: the first rows, each carrying the count of all (window over the union).
      const rows = (await db
        .from(union.as('u'))
        .whereIn('kind', kinds)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .select(
          'kind',
          'id',
          'number',
          'status',
          'subject',
          'created_at as createdAt',
          db.raw('count(*) over ()::int as total'),
        )) as (PendingAction & { total: number })[];
      return { items: rows.map(({ total: _t, ...item }) => item), total: rows[0]?.total ?? 0 };
    },
  };
}
export type HomeRepository = ReturnType<typeof createHomeRepository>;
