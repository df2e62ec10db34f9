/**
 * What a page costs right after the customer's data changed (a payment, a new invoice, a
 * back-office edit): the data version moves, so everything the portal keeps for the customer
 * (src/lib/scope-cache.ts) is computed again on the next visit. The load phase measures pages
 * whose kept figures are in use; this measures the other case, one request at a time.
 * Informational: the targets are for pages under load.
 */
import type { Knex } from 'knex';
import { get, type Session } from './portal.ts';

export interface AfterChange {
  name: string;
  path: string;
  samples: number;
  p50: number;
  max: number;
}

export async function timeAfterChange(
  db: Knex,
  customerId: number,
  baseUrl: string,
  session: Session,
  page: { name: string; path: string },
  samples: number,
): Promise<AfterChange> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    // A write that changes no figure but moves the version, as any write to the customer's data does.
    await db('customer_changes').insert({ customer_id: customerId });
    const start = process.hrtime.bigint();
    await get(baseUrl, session, page.path);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { ...page, samples, p50: ms[Math.floor(ms.length / 2)]!, max: ms.at(-1)! };
}
