/** `npm run bench:load -- [options]`: the command line of bench/load.ts and the row counts it aims at. */
import { parseArgs } from 'node:util';
import { isIsoDate } from '../../src/lib/clock.ts';

export const DEFAULT_BENCH_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/portal_bench';

export interface LoadOptions {
  databaseUrl: string;
  scale: number;
  asOf: string;
  seed: number;
  verify: boolean;
  vacuum: boolean;
}

/** Row counts at --scale=1. The fleet customer's share is part of the totals. */
export const FULL_SIZE = {
  customers: 5_000,
  contracts: 100_000,
  invoices: 1_000_000,
  payments: 600_000,
  assets: 150_000,
  fleetContracts: 5_000,
  fleetInvoices: 50_000,
  fleetAssets: 20_000,
} as const;

export type Targets = { [K in keyof typeof FULL_SIZE]: number };

const HELP = `npm run bench:load -- [options]

Drops and re-creates the database named by BENCH_DATABASE_URL (default ${DEFAULT_BENCH_DATABASE_URL};
its name must contain "bench"), runs the migrations and loads the scale data set with COPY.

  --scale=F      multiply every count (fleet included) by F, e.g. 0.02 (default 1)
  --as-of=DATE   business date the data is dated around (default 2026-11-16)
  --seed=N       random seed (default 20261116); the same seed gives the same data
  --verify       after loading, check foreign keys and the money rules (slower)
  --no-vacuum    ANALYZE only, instead of VACUUM (ANALYZE)`;

export function parseLoadOptions(argv: string[], env: NodeJS.ProcessEnv): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: '1' },
      'as-of': { type: 'string', default: '2026-11-16' },
      seed: { type: 'string', default: '20261116' },
      verify: { type: 'boolean', default: false },
      'no-vacuum': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) usage(0);
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10)
    usage(2, '--scale must be a number above 0, at most 10');
  if (!isIsoDate(values['as-of'])) usage(2, '--as-of must be a real date, YYYY-MM-DD');
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) usage(2, '--seed must be a whole number');
  const databaseUrl = env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL;
  if (!databaseName(databaseUrl).includes('bench'))
    usage(
      2,
      `refusing to drop "${databaseName(databaseUrl)}": the bench database's name must contain "bench"`,
    );
  return {
    databaseUrl,
    scale,
    asOf: values['as-of'],
    seed,
    verify: values.verify,
    vacuum: !values['no-vacuum'],
  };
}

function usage(code: number, message?: string): never {
  if (message) console.error(message);
  (code === 0 ? console.log : console.error)(HELP);
  process.exit(code);
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** The counts at a scale; at least one customer besides the fleet, and one of everything per contract. */
export function targetsAt(scale: number): Targets {
  const n = (k: keyof typeof FULL_SIZE, min: number): number =>
    Math.max(min, Math.round(FULL_SIZE[k] * scale));
  const fleetContracts = n('fleetContracts', 1);
  const contracts = Math.max(n('contracts', 2), fleetContracts + 1);
  const customers = Math.min(n('customers', 2), contracts - fleetContracts + 1);
  return {
    customers,
    contracts,
    invoices: Math.max(n('invoices', 1), contracts * 3),
    payments: n('payments', 1),
    assets: Math.max(n('assets', 1), contracts),
    fleetContracts,
    fleetInvoices: Math.max(n('fleetInvoices', 1), fleetContracts * 3),
    fleetAssets: Math.max(n('fleetAssets', 1), fleetContracts),
  };
}
