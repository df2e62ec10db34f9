/** The bench database's life around the load: re-create, migrate, then sequences, statistics, checkpoint. */
import pg from 'pg';
import { createKnex } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { databaseName } from './options.ts';

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Drops the database (closing its sessions) and creates it empty, through the `postgres` database. */
export async function recreateDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const name = ident(databaseName(url));
  await withClient(admin.toString(), async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
}

/** The project's migrations, exactly as the portal runs them: the schema is the migration schema. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const knex = createKnex(url, 1);
  try {
    return await migrateLatest(knex);
  } finally {
    await knex.destroy();
  }
}

/** Moves every identity past the explicit ids the load gave, so the portal's inserts do not collide. */
export async function resetSequences(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ table: string; column: string }>(
      `select c.relname as table, a.attname as column
         from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and a.attidentity <> '' and not a.attisdropped`,
    );
    for (const r of rows) {
      const t = ident(r.table);
      await c.query(
        `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${ident(r.column)}) from ${t}), 0) + 1, false)`,
        [r.table, r.column],
      );
    }
    return rows.length;
  });
}

export async function publicTables(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
    );
    return rows.map((r) => r.name);
  });
}

/**
 * VACUUM (ANALYZE) each table, two at a time (one per core), or ANALYZE only. The vacuum sets the
 * visibility map (index-only scans) and hint bits now, so autovacuum does not wake up during a bench.
 */
export async function analyzeTables(url: string, tables: string[], vacuum: boolean): Promise<void> {
  const queue = [...tables];
  const worker = (): Promise<void> =>
    withClient(url, async (c) => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift())
        await c.query(`${vacuum ? 'vacuum (analyze)' : 'analyze'} ${ident(t)}`);
    });
  await Promise.all([worker(), worker()]);
}

/** Writes the loaded pages out now rather than during the first bench run. */
export async function checkpoint(url: string): Promise<void> {
  await withClient(url, (c) => c.query('checkpoint'));
}
