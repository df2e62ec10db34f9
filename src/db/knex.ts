/**
 * The Knex instance. Dates come back as 'YYYY-MM-DD' strings (business dates, never shifted by
 * a time zone) and bigint as numbers (money in minor units stays well inside 2^53).
 */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint out of range: ${v}`);
  return n;
});

export type Db = Knex;

export function createKnex(connectionString: string, poolMax: number): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, connectionTimeoutMillis: 5_000 },
    pool: {
      min: 0,
      max: poolMax,
      acquireTimeoutMillis: 10_000,
      // The portal's queries are short, indexed lookups; PostgreSQL's JIT took 50-500 ms of
      // compiling on the larger ones at scale (bench/README.md) and never paid that back.
      afterCreate(conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) {
        conn.query('set jit = off', (err: Error | null) => done(err, conn));
      },
    },
    acquireConnectionTimeout: 10_000,
  });
}
