/**
 * Payoff quotes.
 * - payoffRequestRoutes, at /contracts/:contractId/payoff-quotes (payoff.request): new, review, save.
 * - payoffViewRoutes, at /payoff-quotes (contracts.view): list, one quote, its PDF.
 * - payoffEmailRoutes, at /payoff-quotes (payoff.request): e-mail a quote to oneself.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { Conflict, ValidationFailed } from '../../http/errors.ts';
import { parseForm } from '../../http/forms.ts';
import { isIsoDate } from '../../lib/clock.ts';
import { idParam, PRODUCT_LABELS } from '../contracts/contracts.schemas.ts';
import { paydownRoutes, type RenderForm } from './payoff-paydown.routes.ts';
import { quotePdf } from './payoff-quotes.pdf.ts';
import { notValidReason } from './payoff-quotes.service.ts';

export const ctx = (req: Request, res: Response) => ({
  ip: req.ip ?? null,
  requestId: (res.locals.requestId as string | undefined) ?? null,
});

export const typedText = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 40) : '');

const quoteForm = z.object({
  payoffDate: z
    .string({ error: 'Enter a payoff date' })
    .trim()
    .min(1, 'Enter a payoff date')
    .refine(isIsoDate, 'Enter a real payoff date, for example 2026-12-15'),
  asset: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .refine((v) => v.every((x) => /^[1-9]\d{0,9}$/.test(x) && Number(x) <= 2_147_483_647), {
      message: 'Select assets on this contract only',
    })
    .transform((v) => v.map(Number)),
});

export function payoffRequestRoutes(deps: Deps): Router {
  const router = Router({ mergeParams: true });
  const contractIdOf = (req: Request): number => idParam((req.params as Record<string, string>).contractId);

  const renderForm: RenderForm = async (req, res, values, errors = [], paydown = {}) => {
    const scope = res.locals.scope!;
    const p = await deps.payoffQuotes.prepare(scope, contractIdOf(req));
    const all = req.query.all === '1' || values.assetIds === undefined;
    res.status(p.refused ? 409 : errors.length ? 400 : 200).render('payoff-quotes/new', {
      title: `${errors.length ? 'Error: ' : ''}Request a payoff quote for ${p.contract.number}`,
      ...p,
      productLabels: PRODUCT_LABELS,
      values: {
        payoffDate: values.payoffDate ?? '',
        assetIds: all ? p.assets.map((a) => a.id) : (values.assetIds ?? []),
      },
      paydown: { paydownDate: '', amount: '', keep: '', ...paydown },
      errors,
    });
  };

  router.get('/new', async (req, res) => {
    const date = typeof req.query.payoffDate === 'string' ? req.query.payoffDate : undefined;
    await renderForm(req, res, { ...(date ? { payoffDate: date } : {}) });
  });

  router.post('/review', async (req, res) => {
    const form = parseForm(quoteForm, req.body);
    const raw = req.body as Record<string, unknown>;
    const typedAssets = ([] as unknown[]).concat(raw.asset ?? []).map(Number);
    if (!form.ok)
      return renderForm(
        req,
        res,
        { payoffDate: typedText(raw.payoffDate), assetIds: typedAssets },
        form.errors,
      );
    try {
      const q = await deps.payoffQuotes.price(res.locals.scope!, contractIdOf(req), {
        payoffDate: form.data.payoffDate,
        assetIds: form.data.asset,
      });
      res.render('payoff-quotes/review', {
        title: `Review payoff quote for ${q.contract.number}`,
        q,
        productLabels: PRODUCT_LABELS,
        assetIds: form.data.asset,
      });
    } catch (e) {
      if (e instanceof ValidationFailed)
        return renderForm(
          req,
          res,
          { payoffDate: form.data.payoffDate, assetIds: form.data.asset },
          e.errors,
        );
      if (e instanceof Conflict) return renderForm(req, res, {});
      throw e;
    }
  });

  router.post('/', async (req, res) => {
    const form = parseForm(quoteForm, req.body);
    if (!form.ok)
      return renderForm(
        req,
        res,
        { payoffDate: typedText((req.body as Record<string, unknown>).payoffDate) },
        form.errors,
      );
    try {
      const id = await deps.payoffQuotes.save(
        res.locals.scope!,
        contractIdOf(req),
        { payoffDate: form.data.payoffDate, assetIds: form.data.asset },
        ctx(req, res),
      );
      req.session.flash = 'Payoff quote saved.';
      res.redirect(303, `/payoff-quotes/${id}`);
    } catch (e) {
      if (e instanceof ValidationFailed)
        return renderForm(
          req,
          res,
          { payoffDate: form.data.payoffDate, assetIds: form.data.asset },
          e.errors,
        );
      if (e instanceof Conflict) return renderForm(req, res, {});
      throw e;
    }
  });

  paydownRoutes(router, deps, renderForm);
  return router;
}

export function payoffViewRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const quotes = await deps.payoffQuotes.list(res.locals.scope!);
    res.render('payoff-quotes/index', { title: 'Payoff quotes', quotes });
  });

  router.get('/:id.pdf', async (req, res) => {
    const scope = res.locals.scope!;
    const q = await deps.payoffQuotes.get(scope, idParam(req.params.id));
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${q.number}.pdf"`);
    const doc = quotePdf(q, scope.label, scope.customer);
    doc.pipe(res);
    doc.end();
  });

  router.get('/:id', async (req, res) => {
    const scope = res.locals.scope!;
    const q = await deps.payoffQuotes.get(scope, idParam(req.params.id));
    const flash = req.session.flash;
    delete req.session.flash;
    res.render('payoff-quotes/show', {
      title: `${q.breakdown.paydown ? 'Principal paydown quote' : 'Payoff quote'} ${q.number}`,
      q,
      flash,
      notValid: notValidReason(q),
      problem: undefined,
    });
  });

  return router;
}

export function payoffEmailRoutes(deps: Deps): Router {
  const router = Router();
  router.post('/:id/email', async (req, res) => {
    const id = idParam(req.params.id);
    const scope = res.locals.scope!;
    let to: string;
    try {
      to = await deps.payoffQuotes.email(scope, id, ctx(req, res));
    } catch (e) {
      if (!(e instanceof Conflict)) throw e;
      // Superseded or expired: say so on the quote's page, with the way to a new quote.
      const q = await deps.payoffQuotes.get(scope, id);
      return res.status(409).render('payoff-quotes/show', {
        title: `Error: Payoff quote ${q.number}`,
        q,
        flash: undefined,
        notValid: notValidReason(q),
        problem: e.message,
      });
    }
    req.session.flash = `Quote sent to ${to}.`;
    res.redirect(303, `/payoff-quotes/${id}`);
  });
  return router;
}
