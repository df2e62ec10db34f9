/**
 * Deterministic demo data: `seedDemo(knex, { asOf })` fills an empty, migrated database with two
 * private labels, their customers, users, contracts with full schedules, invoices, payments,
 * assets, requests and activity, all dated relative to the business date `asOf`.
 * Generation is pure (seeds/generate.ts); this file hashes the password and inserts in batches.
 */
import { hash, type Algorithm } from '@node-rs/argon2';
import type { Knex } from 'knex';
import { TABLES, type Table } from './builder.ts';
import { generateDemo, type DemoData, type DemoSummary } from './generate.ts';

export type { DemoSummary };

export const DEMO_PASSWORD = 'Demo-Portal-2026!';

export interface DemoLogin {
  email: string;
  role: 'user' | 'portal_admin' | 'superuser';
  customer: string;
  label: string;
  can: string;
}

export const DEMO_LOGINS: readonly DemoLogin[] = [
  {
    email: 'super@northwind.example',
    role: 'superuser',
    customer: '(any, chosen in the switcher)',
    label: 'northwind or maple',
    can: 'Lessor staff: every customer one at a time, all modules, Admin and Audit',
  },
  {
    email: 'admin@acme.example',
    role: 'portal_admin',
    customer: 'C-10001 Acme Construction Inc.',
    label: 'northwind (and maple)',
    can: 'Everything for Acme, plus Admin (users, audit)',
  },
  {
    email: 'ap@acme.example',
    role: 'user',
    customer: 'C-10001 Acme Construction Inc.',
    label: 'northwind (and maple)',
    can: 'Every permission: pay, autopay, contracts, documents, payoff, assets, requests, reports',
  },
  {
    email: 'viewer@acme.example',
    role: 'user',
    customer: 'C-10001 Acme Construction Inc.',
    label: 'northwind (and maple)',
    can: 'View invoices and contracts only',
  },
  {
    email: 'former@acme.example',
    role: 'user',
    customer: 'C-10001 Acme Construction Inc.',
    label: 'northwind',
    can: 'Nothing: the account is inactive, sign-in is refused',
  },
  {
    email: 'admin@birch.example',
    role: 'portal_admin',
    customer: 'C-10002 Birch Logistics LLC',
    label: 'northwind',
    can: 'Everything for Birch, plus Admin',
  },
  {
    email: 'admin@cedar.example',
    role: 'portal_admin',
    customer: 'C-10003 Cedar Medical Group',
    label: 'northwind',
    can: 'Everything for Cedar (nothing overdue, autopay on the MRI)',
  },
  {
    email: 'admin@mapleharvest.example',
    role: 'portal_admin',
    customer: 'C-20001 Maple Harvest Farms Ltd.',
    label: 'maple (maple.localhost)',
    can: 'Everything for Maple Harvest in CAD, plus Admin',
  },
  {
    email: 'admin@lakeshore.example',
    role: 'portal_admin',
    customer: 'C-20002 Lakeshore Print Co.',
    label: 'maple (maple.localhost)',
    can: 'Everything for Lakeshore in CAD, plus Admin',
  },
];

/** A plain-text table of the demo logins, for the console. */
export function demoLoginsTable(): string {
  const head = ['email', 'role', 'customer', 'label', 'can'] as const;
  const rows = DEMO_LOGINS.map((l) => head.map((h) => l[h]));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `Demo logins (password for all: ${DEMO_PASSWORD})`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

export async function isSeeded(knex: Knex): Promise<boolean> {
  const row = (await knex('private_labels').first(knex.raw('1 as one'))) as unknown;
  return row !== undefined;
}

/** A fixed salt keeps the whole data set byte-identical between runs; fine for a demo password. */
export async function demoPasswordHash(seed: number): Promise<string> {
  return hash(DEMO_PASSWORD, {
    algorithm: ARGON2ID,
    salt: new TextEncoder().encode(`portal-demo-salt-${seed}`),
  });
}

/** Algorithm.Argon2id: a const enum, which verbatimModuleSyntax cannot import by name. */
const ARGON2ID = 2 as Algorithm;

const CHUNK_PARAMS = 30_000;

async function insertAll(trx: Knex.Transaction, data: DemoData): Promise<void> {
  for (const table of TABLES) {
    const rows = data.rows[table];
    if (rows.length === 0) continue;
    const columns = Object.keys(rows[0]!).length;
    const chunk = Math.max(1, Math.min(1000, Math.floor(CHUNK_PARAMS / columns)));
    for (let i = 0; i < rows.length; i += chunk) await trx(table).insert(rows.slice(i, i + chunk));
  }
  // Ids were given explicitly: move each identity past them so later inserts do not collide.
  const withIdentity = TABLES.filter((t: Table) => t !== 'location_change_request_assets');
  await trx.raw(
    withIdentity
      .map(
        (t) =>
          `select setval(pg_get_serial_sequence('${t}', 'id'), coalesce((select max(id) from ${t}), 0) + 1, false);`,
      )
      .join('\n'),
  );
}

export async function seedDemo(
  knex: Knex,
  opts: { asOf: string; scale?: number; seed?: number },
): Promise<DemoSummary> {
  const seed = opts.seed ?? 20261116;
  if (await isSeeded(knex))
    throw new Error('The database already has private labels: refusing to seed demo data over it.');
  const data = generateDemo({
    asOf: opts.asOf,
    scale: opts.scale ?? 1,
    seed,
    passwordHash: await demoPasswordHash(seed),
  });
  await knex.transaction(async (trx) => {
    // Re-checked under a lock so two processes starting together do not both seed.
    await trx.raw('lock table private_labels in exclusive mode');
    if (await isSeeded(trx))
      throw new Error('The database already has private labels: refusing to seed demo data over it.');
    await insertAll(trx, data);
  });
  return data.summary;
}
