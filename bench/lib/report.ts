/** The printed tables and bench/results.json. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExportResult } from './exports.ts';
import type { PlanCheck } from './plans.ts';
import type { PageResult } from './pages.ts';
import type { ReportRun } from './targets.ts';

export interface ExportOutcome extends ExportResult {
  report: ReportRun;
  wantedRows: number;
  target: string;
  failures: string[];
}

export function table(head: string[], rows: string[][], rightAligned: Set<number> = new Set()): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const fixed = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);

export function pagesTable(results: PageResult[], maxQueries: number): string {
  return table(
    [
      'page',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      '× ceiling',
      'queries kept/changed',
      'KB',
      'target',
      'result',
    ],
    results.map((r) => [
      r.name,
      fixed(r.load?.rps),
      fixed(r.load?.p50),
      fixed(r.load?.p99),
      r.load ? String(r.load.errors + r.load.non2xx) : '–',
      r.kind === 'ceiling' ? (r.load ? '1.00' : '–') : fixed(r.ratio, 3),
      r.plan ? `${r.keptQueries ?? '–'}/${r.plan.queries}` : '–',
      r.bytes === null ? '–' : fixed(r.bytes / 1024, 1),
      [
        r.p99Target !== null ? `p99≤${r.p99Target}` : '',
        r.kind === 'home' ? '≥25%' : '',
        r.kind !== 'ceiling' ? `q≤${maxQueries}` : '',
      ]
        .filter(Boolean)
        .join(' '),
      r.failures.length ? 'FAIL' : r.kind === 'ceiling' ? '' : r.load ? 'pass' : 'not run',
    ]),
    new Set([1, 2, 3, 4, 5, 6, 7]),
  );
}

export function exportsTable(exports: ExportOutcome[]): string {
  return table(
    [
      'export',
      'report',
      'rows',
      'MB',
      'seconds',
      'first byte s',
      'RSS +MB',
      'heap+ext +MB',
      'target',
      'result',
    ],
    exports.map((e) => [
      e.format.toUpperCase(),
      e.report.query,
      e.report.rows.toLocaleString('en-US'),
      fixed(e.bytes / 1024 / 1024, 1),
      fixed(e.seconds, 2),
      fixed(e.firstByteSeconds, 2),
      fixed(e.rssGrowthMb),
      fixed(e.heapGrowthMb),
      e.target,
      e.failures.length ? 'FAIL' : 'pass',
    ]),
    new Set([2, 3, 4, 5, 6, 7]),
  );
}

/** Every Seq Scan over the limit and every EXPLAIN that failed, with its query. */
export function planFindings(checks: { name: string; plan: PlanCheck | null }[]): string[] {
  const out: string[] = [];
  for (const { name, plan } of checks) {
    for (const s of plan?.seqScans ?? []) {
      out.push(
        `Seq Scan on ${s.table} (~${s.rows.toLocaleString('en-US')} rows) in ${name}` +
          `${s.filter ? `, filter ${s.filter}` : ''}:\n  ${s.sql}\n  bindings ${JSON.stringify(s.bindings)}`,
      );
    }
    for (const e of plan?.explainErrors ?? []) out.push(`EXPLAIN failed in ${name}: ${e}`);
  }
  return out;
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

export function writeResults(file: string, results: unknown): string {
  const full = path.resolve(file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, `${JSON.stringify(results, null, 2)}\n`);
  return full;
}
