import { Router } from 'express';
import type { Deps } from '../../container.ts';
import { NotFound } from '../../http/errors.ts';

const HEX = /^#[0-9a-fA-F]{6}$/;

/**
 * The label's colours as CSS custom properties: a stylesheet, because the CSP allows no
 * inline style.
 */
export function labelsRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/labels/:code/theme.css', async (req, res) => {
    const label = await deps.labels.byCode(req.params.code);
    if (!label) throw new NotFound();
    const primary = HEX.test(label.primaryColor) ? label.primaryColor : '#1d4f91';
    const accent = HEX.test(label.accentColor) ? label.accentColor : '#0b6e4f';
    res.type('text/css');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.send(`:root{--brand:${primary};--brand-accent:${accent};}\n`);
  });
  return router;
}
