/**
 * A loan's partial principal paydown, on the payoff-quote request router
 * (/contracts/:contractId/payoff-quotes, payoff.request): review, then save. The form is on the
 * request page (views/payoff-quotes/new.ejs); a bad field re-renders it with 400.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { Conflict, ValidationFailed, type FieldError } from '../../http/errors.ts';
import { parseForm } from '../../http/forms.ts';
import { isIsoDate } from '../../lib/clock.ts';
import { idParam, PRODUCT_LABELS } from '../contracts/contracts.schemas.ts';
import { ctx, typedText } from './payoff-quotes.routes.ts';

export interface PaydownValues {
  paydownDate?: string;
  amount?: string;
  keep?: string;
}

export type RenderForm = (
  req: Request,
  res: Response,
  values: { payoffDate?: string; assetIds?: number[] },
  errors?: FieldError[],
  paydown?: PaydownValues,
) => Promise<void>;

const paydownForm = z.object({
  paydownDate: z
    .string({ error: 'Enter a payment date' })
    .trim()
    .min(1, 'Enter a payment date')
    .refine(isIsoDate, 'Enter a real payment date, for example 2026-12-15'),
  amount: z
    .string({ error: 'Enter the principal to pay down' })
    .trim()
    .min(1, 'Enter the principal to pay down')
    .max(20, 'Enter the principal as an amount, for example 25,000.00'),
  keep: z.enum(['term', 'instalment'], {
    error: 'Choose whether to keep the term or the instalment',
  }),
});

export function paydownRoutes(router: Router, deps: Deps, renderForm: RenderForm): void {
  const contractIdOf = (req: Request): number => idParam((req.params as Record<string, string>).contractId);
  const typed = (body: unknown): PaydownValues => {
    const raw = (body ?? {}) as Record<string, unknown>;
    return {
      paydownDate: typedText(raw.paydownDate),
      amount: typedText(raw.amount),
      keep: typedText(raw.keep),
    };
  };

  router.post('/paydown/review', async (req, res) => {
    const form = parseForm(paydownForm, req.body);
    if (!form.ok) return renderForm(req, res, {}, form.errors, typed(req.body));
    try {
      const q = await deps.payoffQuotes.pricePaydown(res.locals.scope!, contractIdOf(req), form.data);
      res.render('payoff-quotes/review-paydown', {
        title: `Review principal paydown quote for ${q.contract.number}`,
        q,
        productLabels: PRODUCT_LABELS,
      });
    } catch (e) {
      if (e instanceof ValidationFailed) return renderForm(req, res, {}, e.errors, form.data);
      if (e instanceof Conflict) return renderForm(req, res, {});
      throw e;
    }
  });

  router.post('/paydown', async (req, res) => {
    const form = parseForm(paydownForm, req.body);
    if (!form.ok) return renderForm(req, res, {}, form.errors, typed(req.body));
    try {
      const id = await deps.payoffQuotes.savePaydown(
        res.locals.scope!,
        contractIdOf(req),
        form.data,
        ctx(req, res),
      );
      req.session.flash = 'Principal paydown quote saved.';
      res.redirect(303, `/payoff-quotes/${id}`);
    } catch (e) {
      if (e instanceof ValidationFailed) return renderForm(req, res, {}, e.errors, form.data);
      if (e instanceof Conflict) return renderForm(req, res, {});
      throw e;
    }
  });
}
