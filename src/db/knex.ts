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

/** The number of rows a filtered query finds (a list's count). */
export async function countRows(q: Knex.QueryBuilder): Promise<number> {
  return Number((await q.clone().count<{ n: string }[]>({ n: '*' }).first())?.n ?? 0);
}

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

/**
 * A named prepared statement: PostgreSQL parses and plans it once per connection instead of on
 * every call, and its text is built once here (by `build`, with placeholder values) instead of
 * by knex on every call. Only for statements whose text never varies and whose best plan does
 * not depend on the values (a primary-key lookup, say): a plan made once for all values could
 * be poor for a skewed filter such as one customer among thousands. `build`'s bindings must be
 * exactly the values passed at each call, in order.
 */
export function preparedStatement<Row, Values extends unknown[]>(
  db: Knex,
  name: string,
  build: (...values: Values) => Knex.QueryBuilder,
  placeholders: Values,
): (...values: Values) => Promise<Row[]> {
  let text: string | undefined;
  const client = db.client as {
    acquireConnection(): Promise<pg.Client>;
    releaseConnection(c: pg.Client): Promise<void>;
  };
  return async (...values) => {
    if (text === undefined) {
      const native = build(...placeholders)
        .toSQL()
        .toNative();
      if (native.bindings.length !== values.length)
        throw new Error(
          `prepared statement ${name}: ${native.bindings.length} bindings, ${values.length} values`,
        );
      text = native.sql;
    }
    const conn = await client.acquireConnection();
    try {
      return (await conn.query<Row & pg.QueryResultRow>({ name, text, values })).rows;
    } finally {
      await client.releaseConnection(conn);
    }
  };
}
