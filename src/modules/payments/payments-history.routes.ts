/** Payment history, one payment with its allocations and status history, and its receipt PDF. */
import { Router } from 'express';
import type { Deps } from '../../container.ts';
import { NotFound } from '../../http/errors.ts';
import { pageHref, pageQuery } from '../../http/pagination.ts';
import { historyDates, historyQuery, idParam } from './payments.schemas.ts';
import { hasReceipt, receiptPdf } from './payments.pdf.ts';

export function paymentsViewRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const scope = res.locals.scope!;
    const query = req.query as Record<string, unknown>;
    const f = historyQuery.parse(query);
    const page = pageQuery.parse(query.page);
    // A date that is not a real one is a 400 with the error summary; the list is then unfiltered by date.
    const dates = historyDates(f);
    const { errors } = dates;
    const [result, methods] = await Promise.all([
      deps.payments.list(
        scope,
        {
          status: f.status || undefined,
          from: errors.length ? undefined : dates.from,
          to: errors.length ? undefined : dates.to,
          methodId: f.method,
          sort: f.sort,
        },
        page,
      ),
      deps.paymentMethods.list(scope.customerId),
    ]);
    res.status(errors.length ? 400 : 200).render('payments/index', {
      title: errors.length ? 'Error: Payment history' : 'Payment history',
      errors,
      f,
      result,
      methods,
      sortHref: (key: string) =>
        pageHref('/payments', { ...query, sort: f.sort === `-${key}` ? key : `-${key}` }, 1),
      href: (p: number) => pageHref('/payments', query, p),
    });
  });

  // Only numeric ids here: /payments/new and the rest belong to the paying router.
  router.get('/:id/receipt.pdf', async (req, res, next) => {
    const id = idParam.safeParse(req.params.id);
    if (!id.success) return next();
    const scope = res.locals.scope!;
    const d = await deps.payments.detail(scope, id.data);
    // A receipt is for money received: only a settled payment has one (docs/domain.md, Paying).
    if (!hasReceipt(d.p)) throw new NotFound();
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="receipt-${d.p.id}.pdf"`);
    const doc = receiptPdf(d.p, d.allocations, scope.label, scope.customer);
    doc.pipe(res);
    doc.end();
  });

  router.get('/:id', async (req, res, next) => {
    if (!/^\d{1,10}$/.test(req.params.id)) return next();
    const id = idParam.safeParse(req.params.id);
    if (!id.success) throw new NotFound();
    const scope = res.locals.scope!;
    const d = await deps.payments.detail(scope, id.data);
    const flash = req.session.flash;
    if (flash) delete req.session.flash;
    res.render('payments/show', { title: `Payment ${d.p.id}`, ...d, flash, hasReceipt: hasReceipt(d.p) });
  });

  return router;
}
