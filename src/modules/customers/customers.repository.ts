import type { Knex } from 'knex';
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
    async findActive(id: number): Promise<CurrentCustomer | undefined> {
      const row = (await db('customers')
        .select(...columns)
        .where({ id, status: 'active' })
        .first()) as CustomerRow | undefined;
      return row ? toCustomer(row) : undefined;
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
