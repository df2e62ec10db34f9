/** `npm run bench -- [options]`: the command line of bench/run.ts. */
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD } from '../../seeds/demo.ts';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/portal_bench';

export interface BenchOptions {
  databaseUrl: string;
  connections: number;
  duration: number;
  warmup: number;
  user: string;
  superuser: string;
  password: string;
  customerQuery: string | undefined;
  systemDate: string;
  maxQueries: number;
  seqScanRows: number;
  csvRows: number;
  pdfRows: number;
  only: string[] | undefined;
  skipLoad: boolean;
  skipExports: boolean;
  skipPlans: boolean;
  out: string;
  logLevel: string;
  poolMax: string | undefined;
}

const HELP = `npm run bench -- [options]

  --connections N     autocannon connections per page (default 16)
  --duration S        measured seconds per page (default 10)
  --warmup S          warm-up seconds per page, not measured (default 2)
  --user EMAIL        the customer user (default fleet@fleet.example)
  --superuser EMAIL   the lessor user for the customer search (default super@northwind.example)
  --password PW       both users' password (default: DEMO_PASSWORD of seeds/demo.ts)
  --customer-q TEXT   the customer search's query (default: first word of the user's customer)
  --system-date DATE  SYSTEM_DATE of the portal (default 2026-11-16)
  --max-queries N     most SQL statements a page may issue per request (default 12)
  --seq-scan-rows N   a Seq Scan of a table with more rows fails (default 10000)
  --csv-rows N        rows of the timed CSV export (default 100000)
  --pdf-rows N        rows of the timed PDF report (default 10000)
  --only a,b          only these pages (names as printed; ceiling and home always run)
  --skip-load | --skip-exports | --skip-plans
  --out FILE          results file (default bench/results.json)
  --log-level L       the portal's LOG_LEVEL (default info, as in production)
  --pool-max N        the portal's DATABASE_POOL_MAX (default: the portal's default)

Database: BENCH_DATABASE_URL (default ${DEFAULT_DATABASE_URL}), filled by npm run bench:load.`;

function int(name: string, v: string | undefined, def: number, min = 1): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number of at least ${min}`);
    process.exit(2);
  }
  return n;
}

export function parseOptions(argv: string[] = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      user: { type: 'string' },
      superuser: { type: 'string' },
      password: { type: 'string' },
      'customer-q': { type: 'string' },
      'system-date': { type: 'string' },
      'max-queries': { type: 'string' },
      'seq-scan-rows': { type: 'string' },
      'csv-rows': { type: 'string' },
      'pdf-rows': { type: 'string' },
      only: { type: 'string' },
      'skip-load': { type: 'boolean', default: false },
      'skip-exports': { type: 'boolean', default: false },
      'skip-plans': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results.json' },
      'log-level': { type: 'string', default: 'info' },
      'pool-max': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const systemDate = values['system-date'] ?? '2026-11-16';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(systemDate)) {
    console.error('--system-date must be YYYY-MM-DD');
    process.exit(2);
  }
  return {
    databaseUrl: process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL,
    connections: int('connections', values.connections, 16),
    duration: int('duration', values.duration, 10),
    warmup: int('warmup', values.warmup, 2, 0),
    user: values.user ?? 'fleet@fleet.example',
    superuser: values.superuser ?? 'super@northwind.example',
    password: values.password ?? DEMO_PASSWORD,
    customerQuery: values['customer-q'],
    systemDate,
    maxQueries: int('max-queries', values['max-queries'], 12),
    seqScanRows: int('seq-scan-rows', values['seq-scan-rows'], 10_000, 0),
    csvRows: int('csv-rows', values['csv-rows'], 100_000),
    pdfRows: int('pdf-rows', values['pdf-rows'], 10_000),
    only: values.only ? values.only.split(',').map((s) => s.trim()) : undefined,
    skipLoad: values['skip-load'],
    skipExports: values['skip-exports'],
    skipPlans: values['skip-plans'],
    out: values.out,
    logLevel: values['log-level'],
    poolMax: values['pool-max'],
  };
}

/** The URL without its password, for printing. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
