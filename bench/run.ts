/**
 * `npm run bench`: starts the portal in production mode as one child process (bench/server.ts)
 * against BENCH_DATABASE_URL, signs in, drives each page with autocannon, times the big CSV and
 * PDF exports with the process's memory growth, checks every page's query count and query plans,
 * prints one table against the targets, writes bench/results.json, and exits 1 if a target fails.
 * See bench/README.md.
 */
import pg from 'pg';
import { createKnex } from '../src/db/knex.ts';
import { REPORTS } from '../src/modules/reports/reports.definitions.ts';
import { timeExport, type ExportResult } from './lib/exports.ts';
import { loadPage, type LoadResult } from './lib/load.ts';
import { parseOptions, safeUrl } from './lib/options.ts';
import { captureQueries, checkPlans, tableRows, type PlanCheck } from './lib/plans.ts';
import { get, problemWith, signIn, startPortal, tail, type Portal, type Session } from './lib/portal.ts';
import { fixed, machine, table, writeResults } from './lib/report.ts';
import { pickReportRun, pickTargets, type ReportRun } from './lib/targets.ts';

type Kind = 'ceiling' | 'home' | 'list' | 'detail';
interface PageDef {
  name: string;
  path: string;
  as: 'user' | 'superuser' | undefined;
  kind: Kind;
}
interface PageResult extends PageDef {
  bytes: number | null;
  preflight: string | undefined;
  load: LoadResult | null;
  ratio: number | null;
  plan: PlanCheck | null;
  p99Target: number | null;
  failures: string[];
}

/** Targets of the issue: p99 at 16 connections, Home's share of the ceiling, exports. */
const P99_MS: Record<Kind, number | null> = { ceiling: null, home: 50, list: 50, detail: 30 };
const HOME_MIN_RATIO = 0.25;
const CSV_MAX_S = 3;
const CSV_MAX_GROWTH_MB = 64;
const PDF_MAX_S = 10;

const o = parseOptions();
const defaultLabel = process.env.DEFAULT_LABEL || 'northwind';
const db = createKnex(o.databaseUrl, 2);
const explainClient = new pg.Client({ connectionString: o.databaseUrl });
let portal: Portal | undefined;
const failures: string[] = [];

try {
  console.log(`Database: ${safeUrl(o.databaseUrl)}`);
  await explainClient.connect();
  const t = await pickTargets(db, { user: o.user, customerQuery: o.customerQuery, defaultLabel });
  console.log(
    `Customer ${t.customer.number} ${t.customer.name} (label ${t.label.code}): ` +
      Object.entries(t.counts)
        .map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`)
        .join(', '),
  );
  const csvPick = await pickReportRun(db, t, o.systemDate, o.csvRows);
  const pdfPick = await pickReportRun(db, t, o.systemDate, o.pdfRows);

  const allPages: PageDef[] = [
    { name: 'ceiling', path: '/__bench/ceiling', as: undefined, kind: 'ceiling' },
    { name: 'home', path: '/', as: 'user', kind: 'home' },
    { name: 'invoices', path: '/invoices', as: 'user', kind: 'list' },
    { name: 'invoices-overdue', path: '/invoices?status=overdue', as: 'user', kind: 'list' },
    {
      name: `invoices-page-${t.deepPage}`,
      path: `/invoices?status=all&page=${t.deepPage}`,
      as: 'user',
      kind: 'list',
    },
    { name: 'contracts', path: '/contracts', as: 'user', kind: 'list' },
    { name: 'contract', path: `/contracts/${t.contract.id}`, as: 'user', kind: 'detail' },
    { name: 'schedule', path: `/contracts/${t.contract.id}/schedule`, as: 'user', kind: 'detail' },
    { name: 'assets-serial', path: `/assets?q=${encodeURIComponent(t.serial)}`, as: 'user', kind: 'list' },
    { name: 'payments', path: '/payments', as: 'user', kind: 'list' },
    {
      name: 'customer-search',
      path: `/customers/switch?q=${encodeURIComponent(t.customerQuery)}`,
      as: 'superuser',
      kind: 'list',
    },
    ...REPORTS.map((r): PageDef => ({
      name: `report:${r.type}`,
      path: `/reports/${r.type}`,
      as: 'user',
      kind: 'list',
    })),
  ];
  const pages = allPages.filter(
    (p) => !o.only || p.kind === 'ceiling' || p.kind === 'home' || o.only.includes(p.name),
  );

  portal = await startPortal({
    databaseUrl: o.databaseUrl,
    systemDate: o.systemDate,
    logLevel: o.logLevel,
    poolMax: o.poolMax,
    ceilingBytes: 20_000,
    defaultLabel,
  });
  console.log(`Portal: pid ${portal.pid} at ${portal.url} (log ${portal.logFile})`);
  const sessions: Record<'user' | 'superuser', Session | undefined> = {
    user: await signIn(portal.url, o.user, o.password),
    superuser: await signIn(portal.url, o.superuser, o.password).catch((err: Error) => {
      console.error(err.message);
      return undefined;
    }),
  };

  // Preflight: each page once, a 2xx HTML page; Home's size sizes the ceiling page.
  const results: PageResult[] = [];
  for (const p of pages) {
    const session = p.as ? sessions[p.as] : undefined;
    const r: PageResult = {
      ...p,
      bytes: null,
      preflight: undefined,
      load: null,
      ratio: null,
      plan: null,
      p99Target: P99_MS[p.kind],
      failures: [],
    };
    results.push(r);
    if (p.as && !session) {
      r.preflight = `not signed in as ${p.as}`;
      continue;
    }
    if (p.kind === 'ceiling') continue;
    const { res, body } = await get(portal.url, session, p.path);
    r.bytes = body.length;
    r.preflight = problemWith(res, body);
    if (p.kind === 'home' && !r.preflight) {
      const set = await fetch(`${portal.url}/__bench/ceiling?bytes=${body.length}`, { method: 'POST' });
      await set.arrayBuffer();
    }
  }
  const ceiling = results.find((r) => r.kind === 'ceiling')!;
  ceiling.bytes = results.find((r) => r.kind === 'home')?.bytes ?? 20_000;

  if (!o.skipLoad) {
    const each = o.warmup + o.duration;
    console.log(
      `\nLoad: ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s per page, ` +
        `${results.length} pages (about ${Math.ceil((results.length * (each + 1)) / 60)} min)`,
    );
    for (const r of results) {
      if (r.preflight) {
        console.log(`  ${r.name.padEnd(28)} skipped: ${r.preflight}`);
        continue;
      }
      r.load = await loadPage(portal.url, r.path, r.as ? sessions[r.as] : undefined, o);
      console.log(
        `  ${r.name.padEnd(28)} ${fixed(r.load.rps).padStart(6)} req/s  p50 ${fixed(r.load.p50)} ms  p99 ${fixed(r.load.p99)} ms` +
          (r.load.non2xx || r.load.errors ? `  errors ${r.load.errors} non-2xx ${r.load.non2xx}` : ''),
      );
    }
  }

  // Exports: the big CSV and the PDF, timed over HTTP with the portal's memory growth.
  const exportsOut: (ExportResult & { report: ReportRun; wantedRows: number; failures: string[] })[] = [];
  if (!o.skipExports) {
    console.log('\nExports:');
    for (const [format, pick, wanted] of [
      ['csv', csvPick, o.csvRows],
      ['pdf', pdfPick, o.pdfRows],
    ] as const) {
      const url = `${pick.best.query}${pick.best.query.includes('?') ? '&' : '?'}format=${format}`;
      const e = await timeExport(portal.url, sessions.user!, url, format, pick.best.currencies);
      const f: string[] = [];
      if (e.problem) f.push(e.problem);
      if (format === 'csv' && e.seconds > CSV_MAX_S) f.push(`${fixed(e.seconds, 2)} s > ${CSV_MAX_S} s`);
      if (format === 'csv' && e.rssGrowthMb > CSV_MAX_GROWTH_MB) {
        f.push(`RSS +${fixed(e.rssGrowthMb)} MB > ${CSV_MAX_GROWTH_MB} MB`);
      }
      if (format === 'pdf' && e.seconds > PDF_MAX_S) f.push(`${fixed(e.seconds, 2)} s > ${PDF_MAX_S} s`);
      if (pick.best.rows < wanted) {
        console.log(
          `  note: no report of this customer reaches ${wanted} rows; the largest has ${pick.best.rows}`,
        );
      }
      exportsOut.push({ ...e, report: pick.best, wantedRows: wanted, failures: f });
      console.log(
        `  ${format.toUpperCase()} ${url}: ${pick.best.rows.toLocaleString('en-US')} rows, ` +
          `${(e.bytes / 1024 / 1024).toFixed(1)} MB in ${fixed(e.seconds, 2)} s, RSS +${fixed(e.rssGrowthMb)} MB`,
      );
    }
  }

  // Query counts and plans: each page once more with SQL capture on.
  const exportPlans: { path: string; plan: PlanCheck }[] = [];
  if (!o.skipPlans) {
    console.log('\nQuery plans and counts:');
    const rows = await tableRows(db);
    await (await fetch(`${portal.url}/__bench/capture?on=1`, { method: 'POST' })).arrayBuffer();
    for (const r of results) {
      if (r.kind === 'ceiling' || r.preflight) continue;
      const c = await captureQueries(portal.url, r.as ? sessions[r.as] : undefined, r.path);
      r.plan = await checkPlans(explainClient, c.queries, rows, {
        seqScanRows: o.seqScanRows,
        maxQueries: o.maxQueries,
      });
    }
    for (const e of exportsOut) {
      const c = await captureQueries(portal.url, sessions.user, e.path);
      exportPlans.push({
        path: e.path,
        plan: await checkPlans(explainClient, c.queries, rows, {
          seqScanRows: o.seqScanRows,
          maxQueries: undefined,
        }),
      });
    }
    await (await fetch(`${portal.url}/__bench/capture?on=0`, { method: 'POST' })).arrayBuffer();
  }

  // Verdicts.
  const ceilingRps = ceiling.load?.rps ?? null;
  for (const r of results) {
    if (r.preflight) r.failures.push(r.preflight);
    if (r.load) {
      const bad = r.load.errors + r.load.non2xx;
      if (bad) {
        const codes = Object.entries(r.load.statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, n]) => `${n}×${code}`);
        r.failures.push(
          `${bad} errors (${[...codes, r.load.errors ? `${r.load.errors} connection errors/timeouts` : '', r.load.toLogin ? `${r.load.toLogin} to /login` : ''].filter(Boolean).join(', ')})`,
        );
      }
      if (ceilingRps && r.kind !== 'ceiling') r.ratio = r.load.rps / ceilingRps;
      if (r.p99Target !== null && r.load.p99 > r.p99Target)
        r.failures.push(`p99 ${fixed(r.load.p99)} ms > ${r.p99Target} ms`);
      if (r.kind === 'home' && r.ratio !== null && r.ratio < HOME_MIN_RATIO) {
        r.failures.push(`${fixed(r.ratio * 100)}% of the ceiling < ${HOME_MIN_RATIO * 100}%`);
      }
    }
    if (r.plan?.problem) r.failures.push(r.plan.problem);
    for (const f of r.failures) failures.push(`${r.name}: ${f}`);
  }
  for (const e of exportsOut)
    for (const f of e.failures) failures.push(`${e.format.toUpperCase()} export: ${f}`);
  for (const e of exportPlans)
    if (e.plan.seqScans.length) failures.push(`export ${e.path}: ${e.plan.problem}`);

  // The table.
  console.log(
    `\n${table(
      ['page', 'req/s', 'p50 ms', 'p99 ms', 'errors', '× ceiling', 'queries', 'KB', 'target', 'result'],
      results.map((r) => [
        r.name,
        fixed(r.load?.rps),
        fixed(r.load?.p50),
        fixed(r.load?.p99),
        r.load ? String(r.load.errors + r.load.non2xx) : '–',
        r.ratio === null ? (r.kind === 'ceiling' && r.load ? '1.00' : '–') : fixed(r.ratio, 2),
        r.plan ? String(r.plan.queries) : '–',
        r.bytes === null ? '–' : fixed(r.bytes / 1024, 1),
        [
          r.p99Target !== null ? `p99≤${r.p99Target}` : '',
          r.kind === 'home' ? `≥${HOME_MIN_RATIO * 100}%` : '',
          r.kind !== 'ceiling' ? `q≤${o.maxQueries}` : '',
        ]
          .filter(Boolean)
          .join(' '),
        r.kind === 'ceiling' ? (r.failures.length ? 'FAIL' : '') : r.failures.length ? 'FAIL' : 'pass',
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    )}`,
  );
  if (exportsOut.length) {
    console.log(
      `\n${table(
        [
          'export',
          'report',
          'rows',
          'MB',
          'seconds',
          'first byte s',
          'RSS growth MB',
          'heap growth MB',
          'target',
          'result',
        ],
        exportsOut.map((e) => [
          e.format.toUpperCase(),
          e.report.query,
          e.report.rows.toLocaleString('en-US'),
          fixed(e.bytes / 1024 / 1024, 1),
          fixed(e.seconds, 2),
          fixed(e.firstByteSeconds, 2),
          fixed(e.rssGrowthMb),
          fixed(e.heapGrowthMb),
          e.format === 'csv' ? `≤${CSV_MAX_S} s, ≤${CSV_MAX_GROWTH_MB} MB` : `≤${PDF_MAX_S} s`,
          e.failures.length ? 'FAIL' : 'pass',
        ]),
        new Set([2, 3, 4, 5, 6, 7]),
      )}`,
    );
  }
  const withScans = [
    ...results.map((r) => ({ name: r.name, plan: r.plan })),
    ...exportPlans.map((e) => ({ name: `export ${e.path}`, plan: e.plan })),
  ];
  for (const { name, plan } of withScans) {
    for (const s of plan?.seqScans ?? []) {
      console.log(
        `\nSeq Scan on ${s.table} (~${s.rows.toLocaleString('en-US')} rows) in ${name}${s.filter ? `, filter ${s.filter}` : ''}:\n  ${s.sql}\n  bindings ${JSON.stringify(s.bindings)}`,
      );
    }
    for (const e of plan?.explainErrors ?? []) console.log(`\nEXPLAIN failed in ${name}: ${e}`);
  }

  const file = writeResults(o.out, {
    date: new Date().toISOString(),
    machine: machine(),
    options: {
      connections: o.connections,
      durationSeconds: o.duration,
      warmupSeconds: o.warmup,
      systemDate: o.systemDate,
      maxQueries: o.maxQueries,
      seqScanRows: o.seqScanRows,
      logLevel: o.logLevel,
    },
    database: safeUrl(o.databaseUrl),
    targets: { ...t, csv: csvPick, pdf: pdfPick },
    pages: results,
    exports: exportsOut,
    exportPlans,
    failures,
    pass: failures.length === 0,
  });
  console.log(`\nResults: ${file}`);
} catch (err) {
  failures.push((err as Error).message);
  console.error(`\nThe bench could not run: ${(err as Error).message}`);
  if (portal) console.error(`Portal log (${portal.logFile}):\n${tail(portal.logFile)}`);
} finally {
  await portal?.stop();
  await explainClient.end().catch(() => undefined);
  await db.destroy();
}

if (failures.length) {
  console.log(`\nFAILED (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nAll targets met.');
}
