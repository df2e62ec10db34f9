import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';

const homeQuery = z.object({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional()
    .catch(undefined),
});

export function homeRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const scope = res.locals.scope!;
    const { currency } = homeQuery.parse(req.query);
    const dashboard = await deps.home.dashboard(scope, currency);
    const flash = req.session.flash;
    if (flash) delete req.session.flash;
    res.render('home/index', { title: 'Home', d: dashboard, flash });
  });
  return router;
}
