import { Router } from 'express';
import { z } from 'zod';
import { safeReturnTo } from '../../http/auth.ts';
import { pageHref, pageQuery } from '../../http/pagination.ts';
import type { Deps } from '../../container.ts';

const PAGE_SIZE = 20;
const searchQuery = z.object({ q: z.string().max(100).catch(''), page: pageQuery });
const switchBody = z.object({
  customerId: z.coerce.number().int().positive(),
  returnTo: z.string().max(2000).optional(),
});

/** Superuser customer switcher. Mounted behind requireRole('superuser'). */
export function customersRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/switch', async (req, res) => {
    const { q, page } = searchQuery.parse({ q: req.query.q ?? '', page: req.query.page });
    const result = await deps.customers.search(q, res.locals.label.id, page, PAGE_SIZE);
    res.render('customers/switch', {
      title: q ? `Switch customer: results for “${q}”` : 'Switch customer',
      q,
      result,
      returnTo: safeReturnTo(req.query.returnTo),
      pageHref: (p: number) => pageHref('/customers/switch', { q, returnTo: req.query.returnTo }, p),
    });
  });

  router.post('/switch', async (req, res) => {
    const parsed = switchBody.safeParse(req.body);
    const customerId = parsed.success ? parsed.data.customerId : NaN;
    const user = req.user!;
    const previous = req.session.customerId;
    const customer = await deps.customers.switchTo(user, customerId, previous, {
      ip: req.ip ?? null,
      requestId: res.locals.requestId,
    });
    req.session.customerId = customer.id;
    req.session.flash = `You are now viewing ${customer.name} (${customer.number}).`;
    // Only the first choice follows returnTo; after a switch, the previous customer's page would 404.
    const target = previous === undefined && parsed.success ? safeReturnTo(parsed.data.returnTo) : '/';
    req.session.save(() => res.redirect(303, target));
  });

  return router;
}
