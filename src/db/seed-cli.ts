/**
 * `npm run seed [-- --scale N] [-- --as-of YYYY-MM-DD] [-- --seed N]`: migrates, then fills an
 * empty database with the deterministic demo data. Skips (exit 0) when it is already seeded.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createClock, isIsoDate } from '../lib/clock.ts';
import { demoLoginsTable, isSeeded, seedDemo } from '../../seeds/demo.ts';
import { migrateLatest } from './migrate.ts';
import { openDatabase } from './open.ts';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '1' }, 'as-of': { type: 'string' }, seed: { type: 'string' } },
});
const scale = Number(values.scale);
if (!Number.isInteger(scale) || scale < 1 || scale > 1000) {
  console.error('--scale must be a whole number from 1 to 1000');
  process.exit(2);
}
const asOfArg = values['as-of'];
if (asOfArg !== undefined && !isIsoDate(asOfArg)) {
  console.error('--as-of must be a real date, YYYY-MM-DD');
  process.exit(2);
}
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && !Number.isInteger(seed)) {
  console.error('--seed must be a whole number');
  process.exit(2);
}

const config = loadConfig();
const asOf = asOfArg ?? createClock({ systemDate: config.systemDate }).today('America/New_York');
const db = await openDatabase(config);
try {
  await migrateLatest(db.knex);
  if (await isSeeded(db.knex)) {
    console.log('The database already holds data (private labels exist): nothing seeded.');
  } else {
    const started = performance.now();
    const summary = await seedDemo(db.knex, { asOf, scale, ...(seed === undefined ? {} : { seed }) });
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`Seeded demo data for business date ${asOf} at scale ${scale} in ${secs} s:`);
    console.table(summary);
  }
  console.log(`\n${demoLoginsTable()}`);
} finally {
  await db.close();
}
