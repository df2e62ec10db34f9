/** The pages under load, their targets, and the verdict on each. */
import { REPORTS } from '../../src/modules/reports/reports.definitions.ts';
import type { LoadResult } from './load.ts';
import type { PlanCheck } from './plans.ts';
import { fixed } from './report.ts';
import type { Targets } from './targets.ts';

export type Kind = 'ceiling' | 'home' | 'list' | 'detail';
export interface PageDef {
  name: string;
  path: string;
  as: 'user' | 'superuser' | undefined;
  kind: Kind;
}
export interface PageResult extends PageDef {
  bytes: number | null;
  preflight: string | undefined;
  load: LoadResult | null;
  ratio: number | null;
  /** Statements and plans of a visit right after a change (nothing kept usable): every query the page can make. */
  plan: PlanCheck | null;
  /** Statements of a visit that finds the customer's figures kept (as under load). */
  keptQueries: number | null;
  p99Target: number | null;
  failures: string[];
}

/** The targets: p99 at 16 connections, Home's share of the ceiling, the exports. */
export const P99_MS: Record<Kind, number | null> = { ceiling: null, home: 50, list: 50, detail: 30 };
export const HOME_MIN_RATIO = 0.25;
export const CSV_MAX_S = 3;
export const CSV_MAX_GROWTH_MB = 64;
export const PDF_MAX_S = 10;

export function benchPages(t: Targets, only: string[] | undefined): PageDef[] {
  const user = (name: string, path: string, kind: Kind = 'list'): PageDef => ({
    name,
    path,
    as: 'user',
    kind,
  });
  const all: PageDef[] = [
    { name: 'ceiling', path: '/__bench/ceiling', as: undefined, kind: 'ceiling' },
    user('home', '/', 'home'),
    user('invoices', '/invoices'),
    user('invoices-overdue', '/invoices?status=overdue'),
    user(`invoices-page-${t.deepPage}`, `/invoices?status=all&page=${t.deepPage}`),
    user('contracts', '/contracts'),
    user('contract', `/contracts/${t.contract.id}`, 'detail'),
    user('schedule', `/contracts/${t.contract.id}/schedule`, 'detail'),
    user('assets-serial', `/assets?q=${encodeURIComponent(t.serial)}`),
    user('payments', '/payments'),
    {
      name: 'customer-search',
      path: `/customers/switch?q=${encodeURIComponent(t.customerQuery)}`,
      as: 'superuser',
      kind: 'list',
    },
    ...REPORTS.map((r) => user(`report:${r.type}`, `/reports/${r.type}`)),
  ];
  return all.filter((p) => !only || p.kind === 'ceiling' || p.kind === 'home' || only.includes(p.name));
}

export function newResult(p: PageDef): PageResult {
  return {
    ...p,
    bytes: null,
    preflight: undefined,
    load: null,
    ratio: null,
    plan: null,
    keptQueries: null,
    p99Target: P99_MS[p.kind],
    failures: [],
  };
}

/** Fills each page's ratio to the ceiling and its failures. */
export function judgePages(results: PageResult[]): void {
  const ceilingRps = results.find((r) => r.kind === 'ceiling')?.load?.rps ?? null;
  for (const r of results) {
    if (r.preflight) r.failures.push(r.preflight);
    const l = r.load;
    if (l) {
      const bad = l.errors + l.non2xx;
      if (bad) {
        const why = Object.entries(l.statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, n]) => `${n}×${code}`);
        if (l.errors) why.push(`${l.errors} connection errors/timeouts`);
        if (l.toLogin) why.push(`${l.toLogin} to /login`);
        r.failures.push(`${bad} errors (${why.join(', ')})`);
      }
      if (ceilingRps && r.kind !== 'ceiling') r.ratio = l.rps / ceilingRps;
      if (r.p99Target !== null && l.p99 > r.p99Target) {
        r.failures.push(`p99 ${fixed(l.p99)} ms > ${r.p99Target} ms`);
      }
      if (r.kind === 'home' && r.ratio !== null && r.ratio < HOME_MIN_RATIO) {
        r.failures.push(`${fixed(r.ratio * 100, 1)}% of the ceiling < ${HOME_MIN_RATIO * 100}%`);
      }
    }
    if (r.plan?.problem) r.failures.push(r.plan.problem);
  }
}
