/** Autopay: overview, set up / change (form → review → confirm), cancel. */
import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { NotFound, ValidationFailed, type FieldError } from '../../http/errors.ts';
import { actorOf } from '../payments/payments.routes.ts';

interface AutopayDraft {
  contractIds: number[];
  methodId: number;
  daysBeforeDue: number;
}

declare module 'express-session' {
  interface SessionData {
    autopayDraft?: AutopayDraft;
  }
}

const id = z.coerce.number().int().positive().max(2_147_483_647);
const ids = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .transform((v) => [
    ...new Set(
      v
        .map((s) => id.safeParse(s))
        .filter((r) => r.success)
        .map((r) => r.data),
    ),
  ]);

const enrolForm = z.object({
  which: z.enum(['all', 'chosen'], { message: 'Choose which contracts to enrol' }),
  contract: ids,
  method: id.catch(0),
  days: z.string().trim(),
  terms: z
    .literal('accepted', { message: 'Accept the autopay terms to continue' })
    .optional()
    .catch(undefined),
});

export function autopayRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const o = await deps.autopay.overview(res.locals.scope!);
    const flash = req.session.flash;
    if (flash) delete req.session.flash;
    res.render('autopay/index', { title: 'Autopay', ...o, flash });
  });

  router.get('/new', async (req, res) => {
    const o = await deps.autopay.overview(res.locals.scope!);
    const chosen = ids.parse(req.query.contract);
    const current = o.contracts.find((c) => chosen.includes(c.contractId) && c.enrollmentId);
    const def = o.methods.find((m) => m.isDefault) ?? o.methods[0];
    const d = req.session.autopayDraft;
    const values =
      d && !chosen.length
        ? {
            which: 'chosen',
            contract: d.contractIds,
            method: String(d.methodId),
            days: String(d.daysBeforeDue),
          }
        : {
            which: chosen.length ? 'chosen' : 'all',
            contract: chosen,
            method: String(current?.methodId ?? def?.id ?? ''),
            days: String(current?.daysBeforeDue ?? 3),
          };
    res.render('autopay/new', { title: 'Set up autopay', ...o, values, errors: [] });
  });

  router.post('/new', async (req, res) => {
    const scope = res.locals.scope!;
    const o = await deps.autopay.overview(scope);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = enrolForm.safeParse(body);
    const errors: FieldError[] = [];
    const values = {
      which: typeof body.which === 'string' ? body.which : '',
      contract: ids.parse(body.contract),
      method: typeof body.method === 'string' ? body.method : '',
      days: typeof body.days === 'string' ? body.days.slice(0, 10) : '',
    };
    let contractIds: number[] = [];
    if (!parsed.success) errors.push({ field: 'which', message: 'Choose which contracts to enrol' });
    else {
      contractIds =
        parsed.data.which === 'all'
          ? o.contracts.map((c) => c.contractId)
          : parsed.data.contract.filter((x) => o.contracts.some((c) => c.contractId === x));
      if (!contractIds.length)
        errors.push({
          field: parsed.data.which === 'all' ? 'which' : 'contract',
          message: 'Choose at least one contract',
        });
    }
    if (!o.methods.some((m) => String(m.id) === values.method))
      errors.push({ field: 'method', message: 'Choose a payment method' });
    const days = /^\d{1,2}$/.test(values.days.trim()) ? Number(values.days.trim()) : NaN;
    if (!(days >= 0 && days <= 30))
      errors.push({ field: 'days', message: 'Enter a whole number of days from 0 to 30' });
    if (body.terms !== 'accepted')
      errors.push({ field: 'terms', message: 'Accept the autopay terms to continue' });
    if (errors.length)
      return res.status(400).render('autopay/new', { title: 'Error: Set up autopay', ...o, values, errors });
    req.session.autopayDraft = { contractIds, methodId: Number(values.method), daysBeforeDue: days };
    res.redirect(303, '/autopay/review');
  });

  router.get('/review', async (req, res) => {
    const d = req.session.autopayDraft;
    if (!d) return res.redirect(303, '/autopay/new');
    const o = await deps.autopay.overview(res.locals.scope!);
    const method = o.methods.find((m) => m.id === d.methodId);
    const contracts = o.contracts.filter((c) => d.contractIds.includes(c.contractId));
    if (!method || contracts.length !== d.contractIds.length) return res.redirect(303, '/autopay/new');
    res.render('autopay/review', { title: 'Check your autopay set-up', d, method, contracts });
  });

  router.post('/confirm', async (req, res) => {
    const d = req.session.autopayDraft;
    if (!d) return res.redirect(303, '/autopay');
    try {
      const n = await deps.autopay.enrol(actorOf(req, res), d);
      delete req.session.autopayDraft;
      req.session.flash = `Autopay is on for ${n} contract${n === 1 ? '' : 's'}.`;
      res.redirect(303, '/autopay');
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      res.redirect(303, '/autopay/new');
    }
  });

  router.post('/:contractId/cancel', async (req, res) => {
    const c = id.safeParse(req.params.contractId);
    if (!c.success) throw new NotFound();
    await deps.autopay.cancel(actorOf(req, res), c.data);
    req.session.flash = 'Autopay was cancelled for that contract.';
    res.redirect(303, '/autopay');
  });

  return router;
}
