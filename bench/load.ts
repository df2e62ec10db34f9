/**
 * `npm run bench:load -- [--scale=F] [--as-of=DATE] [--seed=N] [--verify] [--no-vacuum]`
 *
 * Loads the demo generator's kind of data at scale for the performance bench (npm run bench):
 * re-creates the database named by BENCH_DATABASE_URL, runs the project's migrations, streams
 * the rows in with COPY (one connection per table, all at once, generated one customer at a
 * time), then resets the identities, vacuums and analyzes. At --scale=1: 5,000 customers, 100,000
 * contracts with full schedules, 1,000,000 invoices, 600,000 payments, 150,000 assets, and the
 * fleet customer (fleet@fleet.example) with 5,000 contracts, 50,000 invoices and 20,000 assets.
 * Nothing is written to disk but the database.
 */
import { CopySink } from './loader/copy-sink.ts';
import {
  analyzeTables,
  checkpoint,
  migrateDatabase,
  publicTables,
  recreateDatabase,
  resetSequences,
} from './loader/database.ts';
import { FLEET_LOGIN, FLEET_NAME } from './loader/customer.ts';
import { DEMO_PASSWORD, SUPERUSER_LOGIN, generate } from './loader/generate.ts';
import { databaseName, parseLoadOptions, targetsAt } from './loader/options.ts';
import { elapsedSince, progressReporter, step, summary, tableLine } from './loader/progress.ts';
import { verify } from './loader/verify.ts';

const opts = parseLoadOptions(process.argv.slice(2), process.env);
const start = performance.now();
const t = targetsAt(opts.scale);
console.log(
  `Loading ${databaseName(opts.databaseUrl)} at scale ${opts.scale}, as of ${opts.asOf}: ` +
    `${t.customers} customers, ${t.contracts} contracts, ${t.invoices} invoices, ${t.payments} payments, ${t.assets} assets` +
    ` (fleet: ${t.fleetContracts} contracts, ${t.fleetInvoices} invoices, ${t.fleetAssets} assets)`,
);

await recreateDatabase(opts.databaseUrl);
const applied = await migrateDatabase(opts.databaseUrl);
step(start, `database re-created, ${applied.length} migrations applied`);

const sink = new CopySink(opts.databaseUrl);
let committed: Map<string, number>;
try {
  await generate(
    opts,
    sink,
    progressReporter(start, () => sink.stats()),
  );
  step(start, 'all rows generated; waiting for the COPYs to commit');
  committed = await sink.finish((s) => console.log(`  ${tableLine(s)}`));
} catch (err) {
  await sink.abort();
  throw err;
}
step(start, 'COPY done');

const identities = await resetSequences(opts.databaseUrl);
step(start, `${identities} identity sequences moved past the loaded ids`);
const tables = await publicTables(opts.databaseUrl);
await analyzeTables(opts.databaseUrl, tables, opts.vacuum);
await checkpoint(opts.databaseUrl);
step(start, `${opts.vacuum ? 'VACUUM (ANALYZE)' : 'ANALYZE'} of ${tables.length} tables, checkpoint`);

const loadSeconds = elapsedSince(start);
console.log(
  summary(
    committed,
    tables.filter((name) => !name.startsWith('knex_')),
    loadSeconds,
  ),
);
console.log(
  `Logins (password ${DEMO_PASSWORD}): ${SUPERUSER_LOGIN} (superuser), ` +
    `${FLEET_LOGIN} (portal admin of ${FLEET_NAME}, every permission)`,
);

if (opts.verify) {
  const failed = await verify(opts.databaseUrl, { asOf: opts.asOf, fleetLogin: FLEET_LOGIN });
  step(start, failed === 0 ? 'verified' : `${failed} checks failed`);
  if (failed > 0) process.exitCode = 1;
}
