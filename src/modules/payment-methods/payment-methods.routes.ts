/** Saved payment methods: list, add (through the gateway's page), nickname, default, remove. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { safeReturnTo } from '../../http/auth.ts';
import { NotFound } from '../../http/errors.ts';
import { parseForm } from '../../http/forms.ts';
import { actorOf, gatewayStateOf, newGatewayState } from '../payments/payments.routes.ts';
import { RemovalRefused } from './payment-methods.service.ts';

declare module 'express-session' {
  interface SessionData {
    methodReturnTo?: string;
  }
}

const idOf = (raw: unknown): number => {
  const r = z.coerce.number().int().positive().max(2_147_483_647).safeParse(raw);
  if (!r.success) throw new NotFound();
  return r.data;
};
const kindForm = z.object({ kind: z.enum(['card', 'ach'], { message: 'Choose a card or a bank account' }) });
const nicknameForm = z.object({
  nickname: z
    .string()
    .trim()
    .max(40, 'Nickname must be 40 characters or fewer')
    // A nickname is stored as typed: keep card and account numbers out of it.
    .refine((s) => !/\d(?:[\s-]?\d){7,}/.test(s), 'A nickname cannot contain a card or account number'),
});

function takeFlash(req: Request): string | undefined {
  const f = req.session.flash;
  if (f) delete req.session.flash;
  return f;
}

export function paymentMethodsRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const methods = await deps.paymentMethods.list(res.locals.scope!.customerId);
    res.render('payment-methods/index', { title: 'Payment methods', methods, flash: takeFlash(req) });
  });

  router.get('/new', (req, res) => {
    if (typeof req.query.returnTo === 'string') req.session.methodReturnTo = safeReturnTo(req.query.returnTo);
    res.render('payment-methods/new', { title: 'Add a payment method', errors: [], values: {} });
  });

  router.post('/new', (req, res) => {
    const f = parseForm(kindForm, req.body);
    if (!f.ok)
      return res.status(400).render('payment-methods/new', {
        title: 'Error: Add a payment method',
        errors: f.errors,
        values: f.values,
      });
    res.redirect(
      303,
      deps.gateway.hostedPageUrl(f.data.kind, '/payment-methods/added', newGatewayState(req, res)),
    );
  });

  router.get('/added', async (req, res) => {
    const ref = typeof req.query.gateway_ref === 'string' ? req.query.gateway_ref : '';
    const id = await deps.paymentMethods.addFromGateway(actorOf(req, res), ref, gatewayStateOf(req, res));
    if (!id)
      return res.status(400).render('errors/generic', {
        title: 'The payment method could not be added',
        message: 'The payment page’s answer could not be verified. Nothing was saved.',
      });
    req.session.flash = 'The payment method was added.';
    const back = req.session.methodReturnTo ?? '/payment-methods';
    delete req.session.methodReturnTo;
    res.redirect(303, back);
  });

  router.get('/:id/edit', async (req, res) => {
    const m = await deps.paymentMethods.find(res.locals.scope!.customerId, idOf(req.params.id));
    if (!m) throw new NotFound();
    res.render('payment-methods/edit', {
      title: 'Change nickname',
      m,
      errors: [],
      values: { nickname: m.nickname ?? '' },
    });
  });

  router.post('/:id/edit', async (req, res) => {
    const id = idOf(req.params.id);
    const m = await deps.paymentMethods.find(res.locals.scope!.customerId, id);
    if (!m) throw new NotFound();
    const f = parseForm(nicknameForm, req.body);
    if (!f.ok)
      return res.status(400).render('payment-methods/edit', {
        title: 'Error: Change nickname',
        m,
        errors: f.errors,
        values: f.values,
      });
    await deps.paymentMethods.rename(actorOf(req, res), id, f.data.nickname);
    req.session.flash = 'The nickname was saved.';
    res.redirect(303, '/payment-methods');
  });

  router.post('/:id/default', async (req, res) => {
    await deps.paymentMethods.makeDefault(actorOf(req, res), idOf(req.params.id));
    req.session.flash = 'The default payment method was changed.';
    res.redirect(303, '/payment-methods');
  });

  router.get('/:id/remove', async (req, res) => {
    const m = await deps.paymentMethods.find(res.locals.scope!.customerId, idOf(req.params.id));
    if (!m) throw new NotFound();
    res.render('payment-methods/remove', { title: 'Remove payment method', m, refused: undefined });
  });

  router.post('/:id/remove', async (req, res) => {
    const id = idOf(req.params.id);
    try {
      await deps.paymentMethods.remove(actorOf(req, res), id);
    } catch (err) {
      if (!(err instanceof RemovalRefused)) throw err;
      const m = await deps.paymentMethods.find(res.locals.scope!.customerId, id);
      return res
        .status(409)
        .render('payment-methods/remove', { title: 'This payment method is in use', m, refused: err });
    }
    req.session.flash = 'The payment method was removed.';
    res.redirect(303, '/payment-methods');
  });

  return router;
}
