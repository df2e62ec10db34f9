/**
 * The contract filter of the invoice and asset lists. A customer with a few contracts picks one
 * from a select; a fleet with thousands types its number instead (exact or the start of it),
 * found through `contracts_scope_lower_number` rather than a 5,000-option select on every page.
 */
import type { Knex } from 'knex';

export interface ContractChoice {
  id: number;
  number: string;
}

const likePrefix = (s: string): string => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createContractFilterQueries(db: Knex) {
  const scoped = (customerId: number, labelId: number, withAssets: boolean) => {
    const q = db('contracts as c').where({ 'c.customer_id': customerId, 'c.private_label_id': labelId });
    if (withAssets) q.whereExists((e) => e.select(1).from('assets as a').whereRaw('a.contract_id = c.id'));
    return q;
  };
  return {
    /** The first `limit` contracts by number (a select's options when that is all of them). */
    async contractChoices(
      customerId: number,
      labelId: number,
      withAssets: boolean,
      limit: number,
    ): Promise<ContractChoice[]> {
      return scoped(customerId, labelId, withAssets)
        .orderBy('c.number')
        .limit(limit)
        .select('c.id', 'c.number') as Promise<ContractChoice[]>;
    },

    async contractById(customerId: number, labelId: number, id: number): Promise<ContractChoice | undefined> {
      return db('contracts as c')
        .where({ 'c.id': id, 'c.customer_id': customerId, 'c.private_label_id': labelId })
        .first('c.id', 'c.number') as Promise<ContractChoice | undefined>;
    },

    /** The contract numbered `text` (any case), else up to `limit` whose number starts with it. */
    async contractsByNumber(
      customerId: number,
      labelId: number,
      withAssets: boolean,
      text: string,
      limit: number,
    ): Promise<ContractChoice[]> {
      const lower = text.toLowerCase();
      const exact = (await scoped(customerId, labelId, withAssets)
        .whereRaw('lower(c.number) = ?', [lower])
        .limit(1)
        .select('c.id', 'c.number')) as ContractChoice[];
      if (exact.length) return exact;
      return scoped(customerId, labelId, withAssets)
        .whereRaw(`lower(c.number) like ?`, [likePrefix(lower)])
        .limit(limit)
        .select('c.id', 'c.number') as Promise<ContractChoice[]>;
    },
  };
}
export type ContractFilterQueries = ReturnType<typeof createContractFilterQueries>;
