import { Router } from 'express';
import type { Deps } from '../../container.ts';
import { NotFound } from '../../http/errors.ts';
import { pageHref, pageQuery } from '../../http/pagination.ts';
import { dateFilters, idParam, invoiceListQuery } from './invoices.schemas.ts';
import { invoicePdf } from './invoices.pdf.ts';
import { payableOf } from './invoices.service.ts';

function id(raw: unknown): number {
  const r = idParam.safeParse(raw);
  if (!r.success) throw new NotFound();
  return r.data;
}

export function invoicesRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const scope = res.locals.scope!;
    const query = req.query as Record<string, unknown>;
    const f = invoiceListQuery.parse(query);
    const dates = dateFilters(query);
    const page = pageQuery.parse(query.page);
    const r = await deps.invoices.list(
      scope,
      { status: f.status, from: dates.from, to: dates.to, q: f.q || undefined, sort: f.sort },
      { contract: f.contract, contractNumber: f.contractNumber },
      page,
    );
    const sortHref = (key: string): string => {
      const next = f.sort === key ? `-${key}` : key;
      return pageHref('/invoices', { ...query, sort: next }, 1);
    };
    const errors = [...dates.errors, ...(r.cf.error ? [r.cf.error] : [])];
    res.status(errors.length ? 400 : 200).render('invoices/index', {
      title: errors.length ? 'Error: Invoices' : 'Invoices',
      errors,
      f: { ...f, ...dates.typed },
      r,
      payableOf,
      sortHref,
      href: (p: number) => pageHref('/invoices', query, p),
    });
  });

  router.get('/:id.pdf', async (req, res) => {
    const scope = res.locals.scope!;
    const d = await deps.invoices.detail(scope, id(req.params.id));
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="invoice-${d.invoice.number}.pdf"`);
    const doc = invoicePdf(d, scope.label, scope.customer);
    doc.pipe(res);
    doc.end();
  });

  router.get('/:id', async (req, res) => {
    const scope = res.locals.scope!;
    const d = await deps.invoices.detail(scope, id(req.params.id));
    res.render('invoices/show', { title: `Invoice ${d.invoice.number}`, d });
  });

  return router;
}
