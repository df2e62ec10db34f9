/**
 * `/reports` (catalogue) and `/reports/:type` (filters, paged preview with totals, and
 * `?format=csv|xlsx|pdf` downloads streamed from the database). Mounted behind reports.run.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { parseForm } from '../../http/forms.ts';
import { NotFound } from '../../http/errors.ts';
import { pageHref, pageQuery } from '../../http/pagination.ts';
import { REPORTS, type Filters } from './reports.definitions.ts';
import { CONTENT_TYPES, FORMATS, cellText, totalsRows } from './reports.export.ts';
import { reportScope } from './reports.service.ts';

const formatQuery = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.enum(FORMATS, { message: 'Choose CSV, Excel or PDF' }).optional(),
);

/** The filters as a query string (for download links and paging). */
export function filterQuery(f: Filters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

export function reportsRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', (_req, res) => {
    res.render('reports/index', { title: 'Reports', reports: REPORTS });
  });

  router.get('/:type', async (req, res) => {
    const def = deps.reports.def(String(req.params.type));
    if (!def) throw new NotFound();
    const scope = res.locals.scope!;
    const { page: rawPage, format: rawFormat, ...rawFilters } = req.query as Record<string, unknown>;
    const parsed = parseForm(def.filters, rawFilters);
    const format = formatQuery.safeParse(rawFormat);
    if (!parsed.ok || !format.success) {
      const errors = parsed.ok ? [] : parsed.errors;
      if (!format.success) errors.push({ field: 'format', message: 'Choose CSV, Excel or PDF' });
      return res.status(400).render('reports/run', {
        title: `Error: ${def.title}`,
        def,
        errors,
        values: parsed.ok ? parsed.data : parsed.values,
        result: null,
        query: '',
        today: scope.today,
      });
    }
    const filters = parsed.data;
    const rs = reportScope(scope);
    const locale = scope.label.locale;
    if (format.data) {
      const ext = format.data;
      const name = `${def.type}-${scope.today}.${ext}`;
      res.setHeader('Content-Type', CONTENT_TYPES[ext]);
      res.setHeader('Content-Disposition', `${ext === 'pdf' ? 'inline' : 'attachment'}; filename="${name}"`);
      const subtitle = `${scope.customer.name} — as of ${scope.today}`;
      await deps.reports.export(def, rs, filters, ext, { brand: scope.label, subtitle }, res);
      return;
    }
    const result = await deps.reports.preview(def, rs, filters, pageQuery.parse(rawPage));
    const query = filterQuery(filters);
    res.render('reports/run', {
      title: result.page > 1 ? `${def.title} (page ${result.page})` : def.title,
      def,
      errors: [],
      values: filters,
      result,
      query,
      today: scope.today,
      cells: result.items.map((row) => def.columns.map((c) => cellText(c, row, locale, true))),
      totalCells: totalsRows(def, result.totals, locale, true),
      pageHref: (p: number) =>
        pageHref(`/reports/${def.type}`, Object.fromEntries(new URLSearchParams(query)), p),
    });
  });

  return router;
}
