import type { Knex } from 'knex';
import { DATA_VERSION } from '../../db/data-version.ts';
import type { CurrentCustomer } from '../../http/types.ts';

interface CustomerRow {
  id: number;
  number: string;
  name: string;
  primary_currency: string;
  credit_limit_minor: number;
}

const toCustomer = (r: CustomerRow): CurrentCustomer => ({
  id: r.id,
  number: r.number,
  name: r.name,
  primaryCurrency: r.primary_currency.trim(),
  creditLimitMinor: r.credit_limit_minor,
});

const columns = ['id', 'number', 'name', 'primary_currency', 'credit_limit_minor'] as const;

export function createCustomersRepository(db: Knex) {
  return {
    /** The superuser's chosen customer for a request, with its data version. */
    async findActive(id: number): Promise<CurrentCustomer | undefined> {
      const row = (await db('customers')
        .select(...columns, db.raw(`${DATA_VERSION('customers.id')} as data_version`))
        .where({ id, status: 'active' })
        .first()) as (CustomerRow & { data_version: string }) | undefined;
      return row ? { ...toCustomer(row), dataVersion: row.data_version } : undefined;
    },
    /**
     * Folds each customer's change rows into one (same sums), so reading a version stays one
     * short index scan. Safe with writers and with several workers running it at once.
     */
    async compactChanges(): Promise<number> {
      const r = (await db.raw(`
        with many as (
          select customer_id from customer_changes group by customer_id having count(*) > 1
        ), gone as (
          delete from customer_changes c using many m where c.customer_id = m.customer_id
          returning c.customer_id, c.changes
        )
        insert into customer_changes (customer_id, changes)
        select customer_id, sum(changes) from gone group by customer_id
      `)) as { rowCount: number | null };
      return r.rowCount ?? 0;
    },
    /**
     * Number prefix or name prefix/word match, paged on the server (there may be 10,000).
     * Prefix matches use the text_pattern_ops indexes, the word match the trigram index
     * customers_name_trgm (migrations/20261128000700_perf_lists.ts).
     */
    async search(
      q: string,
      labelId: number,
      offset: number,
      limit: number,
    ): Promise<{ rows: CurrentCustomer[]; total: number }> {
      const term = q.trim().toLowerCase();
      const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`);
      // Customers this label serves: those with a contract under it, and new ones with none yet.
      const base = db('customers as cu')
        .where('cu.status', 'active')
        .andWhere((w) =>
          w
            .whereExists((e) =>
              e
                .select(db.raw('1'))
                .from('contracts as k')
                .whereRaw('k.customer_id = cu.id')
                .andWhere('k.private_label_id', labelId),
            )
            .orWhereNotExists((e) =>
              e.select(db.raw('1')).from('contracts as k').whereRaw('k.customer_id = cu.id'),
            ),
        );
      if (term) {
        base.andWhere((w) =>
          w
            .whereRaw('lower(cu.number) like ?', [`${escaped}%`])
            .orWhereRaw('lower(cu.name) like ?', [`${escaped}%`])
            .orWhereRaw('lower(cu.name) like ?', [`% ${escaped}%`]),
        );
      }
      const [countRow, rows] = await Promise.all([
        base.clone().count<{ count: number }[]>({ count: '*' }).first(),
        base
          .clone()
          .select(columns.map((c) => `cu.${c}`))
          .orderBy('cu.name')
          .orderBy('cu.id')
          .offset(offset)
          .limit(limit) as Promise<CustomerRow[]>,
      ]);
      return { rows: rows.map(toCustomer), total: countRow?.count ?? 0 };
    },
  };
}
export type CustomersRepository = ReturnType<typeof createCustomersRepository>;
