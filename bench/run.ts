/**
 * `npm run bench`: starts the portal in production mode as one child process (bench/server.ts)
 * against BENCH_DATABASE_URL, signs in, drives each page with autocannon, times the big CSV and
 * PDF exports with the process's memory growth, checks every page's query count and query plans,
 * prints one table against the targets, writes bench/results.json, and exits 1 if a target fails.
 * See bench/README.md.
 */
import { timeAfterChange, type AfterChange } from './lib/after-change.ts';
import pg from 'pg';
import { createKnex } from '../src/db/knex.ts';
import { judgeExport, timeExport } from './lib/exports.ts';
import { loadPage } from './lib/load.ts';
import { parseOptions, safeUrl } from './lib/options.ts';
import {
  CSV_MAX_GROWTH_MB,
  CSV_MAX_S,
  PDF_MAX_S,
  benchPages,
  judgePages,
  newResult,
  type PageResult,
} from './lib/pages.ts';
import { captureQueries, checkPlans, tableRows, type PlanCheck } from './lib/plans.ts';
import { get, problemWith, signInMany, startPortal, tail, type Portal, type Session } from './lib/portal.ts';
import {
  exportsTable,
  fixed,
  machine,
  pagesTable,
  planFindings,
  writeResults,
  type ExportOutcome,
} from './lib/report.ts';
import { pickReportRun, pickTargets } from './lib/targets.ts';

const o = parseOptions();
/** Requests per page for the "first visit after a change" figures. */
const AFTER_CHANGE_SAMPLES = 20;
const defaultLabel = process.env.DEFAULT_LABEL || 'northwind';
const db = createKnex(o.databaseUrl, 2);
const explainClient = new pg.Client({ connectionString: o.databaseUrl });
explainClient.on('error', (err) => console.error(`EXPLAIN connection lost: ${err.message}`));
let portal: Portal | undefined;
const failures: string[] = [];
const post = async (url: string): Promise<void> => {
  await (await fetch(url, { method: 'POST' })).arrayBuffer();
};

try {
  console.log(`Database: ${safeUrl(o.databaseUrl)}`);
  await explainClient.connect();
  const t = await pickTargets(db, { user: o.user, customerQuery: o.customerQuery, defaultLabel });
  const counts = Object.entries(t.counts).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`);
  console.log(
    `Customer ${t.customer.number} ${t.customer.name} (label ${t.label.code}): ${counts.join(', ')}`,
  );
  const csvPick = await pickReportRun(db, t, o.systemDate, o.csvRows);
  const pdfPick = await pickReportRun(db, t, o.systemDate, o.pdfRows);

  portal = await startPortal({
    databaseUrl: o.databaseUrl,
    systemDate: o.systemDate,
    logLevel: o.logLevel,
    poolMax: o.poolMax,
    ceilingBytes: 20_000,
    defaultLabel,
  });
  const url = portal.url;
  console.log(`Portal: pid ${portal.pid} at ${url} (log ${portal.logFile})`);
  // One session per connection and user, as many users of the customer would have.
  const sessions: Record<'user' | 'superuser', Session[]> = {
    user: await signInMany(url, o.user, o.password, o.connections),
    superuser: await signInMany(url, o.superuser, o.password, o.connections).catch((err: Error) => {
      console.error(err.message);
      return [];
    }),
  };
  const sessionsOf = (r: PageResult): Session[] => (r.as ? sessions[r.as] : []);
  const sessionOf = (r: PageResult): Session | undefined => sessionsOf(r)[0];
  const user = sessions.user[0]!;

  // Preflight: each page once, a 2xx HTML page; Home's size sizes the ceiling page.
  const results = benchPages(t, o.only).map(newResult);
  for (const r of results) {
    if (r.as && !sessionOf(r)) r.preflight = `not signed in as ${r.as}`;
    if (r.kind === 'ceiling' || r.preflight) continue;
    const { res, body } = await get(url, sessionOf(r), r.path);
    r.bytes = body.length;
    r.preflight = problemWith(res, body);
    if (r.kind === 'home' && !r.preflight) await post(`${url}/__bench/ceiling?bytes=${body.length}`);
  }
  const ceiling = results.find((r) => r.kind === 'ceiling')!;
  ceiling.bytes = results.find((r) => r.kind === 'home')?.bytes ?? 20_000;

  if (!o.skipLoad) {
    const minutes = Math.ceil((results.length * (o.warmup + o.duration + 1)) / 60);
    console.log(
      `\nLoad: ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s per page, ` +
        `${results.length} pages (about ${minutes} min)`,
    );
    for (const r of results) {
      if (r.preflight) {
        console.log(`  ${r.name.padEnd(28)} skipped: ${r.preflight}`);
        continue;
      }
      const l = (r.load = await loadPage(url, r.path, sessionsOf(r), o));
      console.log(
        `  ${r.name.padEnd(28)} ${fixed(l.rps).padStart(6)} req/s  p50 ${fixed(l.p50)} ms  p99 ${fixed(l.p99)} ms` +
          (l.non2xx || l.errors ? `  errors ${l.errors}, non-2xx ${l.non2xx}` : ''),
      );
    }
  }

  // The first visit after a change: nothing kept for the customer can be used.
  const afterChange: AfterChange[] = [];
  if (!o.skipLoad) {
    console.log('\nFirst visit after a change (the data version moved; one request at a time):');
    for (const r of results) {
      if (r.kind === 'ceiling' || r.preflight || r.as !== 'user') continue;
      const a = await timeAfterChange(db, t.customer.id, url, user, r, AFTER_CHANGE_SAMPLES);
      afterChange.push(a);
      console.log(`  ${r.name.padEnd(28)} p50 ${fixed(a.p50, 1)} ms  max ${fixed(a.max, 1)} ms`);
    }
  }

  // Exports: the big CSV and the PDF, timed over HTTP with the portal's memory growth.
  const exportsOut: ExportOutcome[] = [];
  if (!o.skipExports) {
    console.log('\nExports:');
    const runs = [
      {
        format: 'csv',
        pick: csvPick,
        wanted: o.csvRows,
        limits: { seconds: CSV_MAX_S, growthMb: CSV_MAX_GROWTH_MB },
      },
      { format: 'pdf', pick: pdfPick, wanted: o.pdfRows, limits: { seconds: PDF_MAX_S } },
    ] as const;
    for (const { format, pick, wanted, limits } of runs) {
      const path = `${pick.best.query}${pick.best.query.includes('?') ? '&' : '?'}format=${format}`;
      const e = await timeExport(url, user, path, format, pick.best.currencies);
      const target = `≤${limits.seconds} s${'growthMb' in limits ? `, ≤${limits.growthMb} MB` : ''}`;
      exportsOut.push({
        ...e,
        report: pick.best,
        wantedRows: wanted,
        target,
        failures: judgeExport(e, limits),
      });
      if (pick.best.rows < wanted) {
        console.log(
          `  note: no report of this customer reaches ${wanted} rows; the largest has ${pick.best.rows}`,
        );
      }
      console.log(
        `  ${format.toUpperCase()} ${path}: ${pick.best.rows.toLocaleString('en-US')} rows, ` +
          `${fixed(e.bytes / 1024 / 1024, 1)} MB in ${fixed(e.seconds, 2)} s, RSS +${fixed(e.rssGrowthMb)} MB`,
      );
    }
  }

  // Query counts and plans: each page (and export) once more with SQL capture on.
  const exportPlans: { name: string; plan: PlanCheck }[] = [];
  if (!o.skipPlans) {
    console.log('\nQuery counts and plans…');
    const rows = await tableRows(db);
    const limits = { seqScanRows: o.seqScanRows, maxQueries: o.maxQueries };
    await post(`${url}/__bench/capture?on=1`);
    for (const r of results) {
      if (r.kind === 'ceiling' || r.preflight) continue;
      // Right after a change every query the page can make runs (counted and EXPLAINed); the
      // visit after that shows what a page costs while the figures are kept.
      if (r.as === 'user') await db('customer_changes').insert({ customer_id: t.customer.id });
      const c = await captureQueries(url, sessionOf(r), r.path);
      r.plan = await checkPlans(explainClient, c.queries, rows, limits);
      r.keptQueries = (await captureQueries(url, sessionOf(r), r.path)).queries.length;
    }
    for (const e of exportsOut) {
      const c = await captureQueries(url, user, e.path);
      const plan = await checkPlans(explainClient, c.queries, rows, { ...limits, maxQueries: undefined });
      exportPlans.push({ name: `export ${e.path}`, plan });
    }
    await post(`${url}/__bench/capture?on=0`);
  }

  judgePages(results);
  for (const r of results) for (const f of r.failures) failures.push(`${r.name}: ${f}`);
  for (const e of exportsOut)
    for (const f of e.failures) failures.push(`${e.format.toUpperCase()} export: ${f}`);
  for (const e of exportPlans) if (e.plan.seqScans.length) failures.push(`${e.name}: ${e.plan.problem}`);

  console.log(`\n${pagesTable(results, o.maxQueries)}`);
  if (exportsOut.length) console.log(`\n${exportsTable(exportsOut)}`);
  for (const finding of planFindings([...results, ...exportPlans])) console.log(`\n${finding}`);

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
    afterChange,
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
} else if (o.skipLoad || o.skipExports || o.skipPlans) {
  console.log('\nNo target missed by what ran; phases were left out, so not every target was judged.');
} else {
  console.log('\nAll targets met.');
}
