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
     * Prefix matches use the text_pattern_ops indexes.
     */
    async search(
      q: string,
      offset: number,
      limit: number,
    ): Promise<{ rows: CurrentCustomer[]; total: number }> {
      const term = q.trim().toLowerCase();
      const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`);
      const base = db('customers').where('status', 'active');
      if (term) {
        base.andWhere((w) =>
          w
            .whereRaw('lower(number) like ?', [`${escaped}%`])
            .orWhereRaw('lower(name) like ?', [`${escaped}%`])
            .orWhereRaw('lower(name) like ?', [`% ${escaped}%`]),
        );
      }
      const [countRow, rows] = await Promise.all([
        base.clone().count<{ count: number }[]>({ count: '*' }).first(),
        base
          .clone()
          .select(...columns)
          .orderBy('name')
          .orderBy('id')
          .offset(offset)
          .limit(limit) as Promise<CustomerRow[]>,
      ]);
      return { rows: rows.map(toCustomer), total: countRow?.count ?? 0 };
    },
  };
}
export type CustomersRepository = ReturnType<typeof createCustomersRepository>;
