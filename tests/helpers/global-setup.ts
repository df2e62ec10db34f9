/**
 * One fresh PostgreSQL database per test run: created on TEST_DATABASE_URL's server, migrated,
 * seeded with the deterministic demo data pinned to TEST_SYSTEM_DATE, dropped at the end.
 */
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrateLatest } from '../../src/db/migrate.ts';
import { createKnex } from '../../src/db/knex.ts';
import { seedDemo } from '../../seeds/demo.ts';
import { TEST_SYSTEM_DATE } from './constants.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (err) {
    const msg = (err as Error).message;
    console.error(
      `\nNo PostgreSQL answers at TEST_DATABASE_URL (${serverUrl.replace(/:[^:@/]*@/, ':***@')}): ${msg}\n` +
        'Start one (e.g. `pg_ctlcluster 15 main start`, or `docker compose up -d db`) or set TEST_DATABASE_URL.\n',
    );
    throw new Error('Tests need a PostgreSQL server; see the message above.');
  }
  const name = `portal_test_${Date.now()}_${process.pid}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const knex = createKnex(url, 4);
  await migrateLatest(knex);
  await seedDemo(knex, { asOf: TEST_SYSTEM_DATE });
  await knex.destroy();
  project.provide('databaseUrl', url);

  return async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
}
