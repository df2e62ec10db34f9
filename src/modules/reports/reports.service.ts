/** Run-now reports: validated filters → preview page with totals, or a streamed export. */
import type { Writable } from 'node:stream';
import type { Scope } from '../../http/types.ts';
import { reportDef, type Filters, type ReportDef, type ReportScope } from './reports.definitions.ts';
import { writeReport, type ReportFormat } from './reports.export.ts';
import type { ReportsRepository } from './reports.repository.ts';

export const PREVIEW_PAGE_SIZE = 25;

export function reportScope(
  scope: Pick<Scope, 'customerId' | 'labelId' | 'today'> & Partial<Pick<Scope, 'dataVersion'>>,
): ReportScope {
  return {
    customerId: scope.customerId,
    labelId: scope.labelId,
    today: scope.today,
    dataVersion: scope.dataVersion,
  };
}

export function createReportsService(repo: ReportsRepository) {
  return {
    def: reportDef,
    async preview(def: ReportDef, scope: ReportScope, f: Filters, page: number) {
      let current = page;
      let result = await repo.preview(def, scope, f, current, PREVIEW_PAGE_SIZE);
      const total = result.totals.reduce((s, t) => s + t.rows, 0);
      const pages = Math.max(1, Math.ceil(total / PREVIEW_PAGE_SIZE));
      // A page past the end (a stale link) shows the last page, as before.
      if (current > pages) {
        current = pages;
        result = await repo.preview(def, scope, f, current, PREVIEW_PAGE_SIZE);
      }
      const { items, totals } = result;
      return { items, totals, total, page: current, pages, pageSize: PREVIEW_PAGE_SIZE };
    },
    /** Streams the export to `out`: totals first (one query), then the rows from one cursor. */
    async export(
      def: ReportDef,
      scope: ReportScope,
      f: Filters,
      format: ReportFormat,
      meta: { brand: Parameters<typeof writeReport>[1]['brand']; subtitle: string },
      out: Writable,
    ): Promise<void> {
      const totals = await repo.totals(def, scope, f);
      await writeReport(format, { def, rows: repo.stream(def, scope, f), totals, ...meta }, out);
    },
    rows: (def: ReportDef, scope: ReportScope, f: Filters) => repo.stream(def, scope, f),
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
