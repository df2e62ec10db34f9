/**
 * Paying: choose invoices and amounts, a method (saved, or added on the gateway's page), review,
 * confirm. The review page's idempotency key travels in a hidden field; the confirm handler
 * turns any number of submissions of that key into one payment.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../container.ts';
import { NotFound, ValidationFailed, type FieldError } from '../../http/errors.ts';
import type { Scope } from '../../http/types.ts';
import { payableOf } from '../invoices/invoices.service.ts';
import { readAllocations, type Payable } from './payments.money.ts';
import { confirmForm, invoiceIds, isoDate, methodChoice } from './payments.schemas.ts';
import type { Actor } from './payments.service.ts';

interface Draft {
  /** The customer it was made for: a superuser who switches customer leaves it behind. */
  customerId: number;
  allocations: { invoiceId: number; amountMinor: number }[];
  /** What was typed, to show again when the user goes back to change it. */
  typed: Record<string, string>;
  methodId: number | null;
  payDate: string;
  currency: string;
  totalMinor: number;
  key?: string;
  paymentId?: number;
  at: number;
}

declare module 'express-session' {
  interface SessionData {
    paymentDrafts?: Record<string, Draft>;
    /** The state handed to the gateway's page, and the customer it was handed out for. */
    gatewayState?: { state: string; customerId: number };
  }
}

export const actorOf = (req: Request, res: Response): Actor & { userId: number } => ({
  customerId: res.locals.scope!.customerId,
  labelId: res.locals.scope!.labelId,
  userId: req.user!.id,
  ip: req.ip ?? null,
  requestId: res.locals.requestId,
});

export function newGatewayState(req: Request, res: Response): string {
  const state = randomBytes(18).toString('base64url');
  req.session.gatewayState = { state, customerId: res.locals.scope!.customerId };
  return state;
}

/** The state to verify a gateway return against: only for the customer it was issued for. */
export function gatewayStateOf(req: Request, res: Response): string | undefined {
  const g = req.session.gatewayState;
  return g && g.customerId === res.locals.scope?.customerId ? g.state : undefined;
}

/** The session's draft by id, only if it belongs to the current customer. */
function draftOf(req: Request, res: Response, id: unknown): Draft | undefined {
  if (typeof id !== 'string') return undefined;
  const d = req.session.paymentDrafts?.[id];
  return d && d.customerId === res.locals.scope?.customerId ? d : undefined;
}

function drafts(req: Request): Record<string, Draft> {
  req.session.paymentDrafts ??= {};
  const all = req.session.paymentDrafts;
  // Keep the session small: the five most recent drafts.
  const ids = Object.keys(all).sort((a, b) => all[b]!.at - all[a]!.at);
  for (const id of ids.slice(5)) delete all[id];
  return all;
}

/** The payment form's page: open invoices, saved methods, and what was typed. */
export function paymentsMakeRoutes(deps: Deps): Router {
  const router = Router();

  async function formData(scope: Scope) {
    const [invoices, methods] = await Promise.all([
      deps.invoicesRepo.payable(scope.customerId, scope.labelId),
      deps.paymentMethods.list(scope.customerId),
    ]);
    return { invoices: invoices.map((i) => ({ ...i, payableMinor: payableOf(i) })), methods };
  }

  async function renderForm(
    res: Response,
    status: number,
    values: { chosen: number[]; typed: Record<string, string>; method: string; payDate: string },
    errors: FieldError[],
  ) {
    const scope = res.locals.scope!;
    const data = await formData(scope);
    res.status(status).render('payments/new', {
      title: errors.length ? 'Error: Make a payment' : 'Make a payment',
      ...data,
      values,
      errors,
    });
  }

  router.get('/new', async (req, res) => {
    const scope = res.locals.scope!;
    const draftId = typeof req.query.draft === 'string' ? req.query.draft : '';
    const draft = draftOf(req, res, draftId);
    if (draft && !draft.paymentId) {
      return renderForm(
        res,
        200,
        {
          chosen: draft.allocations.map((a) => a.invoiceId),
          typed: draft.typed,
          method: String(draft.methodId ?? ''),
          payDate: draft.payDate,
        },
        [],
      );
    }
    const chosen = invoiceIds.parse(req.query.invoice);
    const methods = await deps.paymentMethods.list(scope.customerId);
    const def = methods.find((m) => m.isDefault) ?? methods[0];
    await renderForm(
      res,
      200,
      { chosen, typed: {}, method: def ? String(def.id) : '', payDate: scope.today },
      [],
    );
  });

  router.post('/new', async (req, res) => {
    const scope = res.locals.scope!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const chosen = invoiceIds.parse(body.invoice);
    const typed: Record<string, string> = {};
    for (const [k, v] of Object.entries(body))
      if (/^amount_\d+$/.test(k) && typeof v === 'string') typed[k] = v.slice(0, 30);
    const rawMethod = typeof body.method === 'string' ? body.method : '';
    const rawDate = typeof body.payDate === 'string' ? body.payDate.trim() : '';
    const values = { chosen, typed, method: rawMethod, payDate: rawDate };

    const invoices = (await deps.invoicesRepo.payable(scope.customerId, scope.labelId)).map((i): Payable => ({
      id: i.id,
      number: i.number,
      currency: i.currency,
      payableMinor: payableOf(i),
      dueDate: i.dueDate,
    }));
    const r = readAllocations(chosen, body, invoices, scope.label.locale);
    const errors: FieldError[] = r.ok ? [] : [...r.errors];
    const method = methodChoice.safeParse(rawMethod);
    let methodId: number | null = null;
    if (!method.success) errors.push({ field: 'method', message: 'Choose how to pay' });
    else if (typeof method.data === 'number') {
      if (!(await deps.paymentMethods.find(scope.customerId, method.data)))
        errors.push({ field: 'method', message: 'Choose how to pay' });
      else methodId = method.data;
    }
    const date = isoDate.safeParse(rawDate);
    if (!date.success)
      errors.push({ field: 'payDate', message: 'Enter the payment date as a date, like 2026-11-30' });
    else if (date.data < scope.today)
      errors.push({ field: 'payDate', message: 'The payment date cannot be in the past' });
    else if (r.ok && date.data > scope.today) {
      const firstDue = invoices
        .filter((i) => chosen.includes(i.id))
        .map((i) => i.dueDate)
        .sort()[0];
      if (firstDue && date.data > firstDue)
        errors.push({
          field: 'payDate',
          message:
            firstDue < scope.today
              ? 'An overdue invoice can only be paid today'
              : `Choose a date on or before ${firstDue}, when the first chosen invoice is due`,
        });
    }
    if (errors.length || !r.ok || !date.success) return renderForm(res, 400, values, errors);

    const draftId = randomUUID();
    drafts(req)[draftId] = {
      customerId: scope.customerId,
      allocations: r.allocations,
      typed,
      methodId,
      payDate: date.data,
      currency: r.currency,
      totalMinor: r.totalMinor,
      at: Date.now(),
    };
    if (methodId === null) {
      const kind = method.data === 'new-ach' ? 'ach' : 'card';
      return res.redirect(
        303,
        deps.gateway.hostedPageUrl(
          kind,
          `/payments/method-added?draft=${draftId}`,
          newGatewayState(req, res),
        ),
      );
    }
    res.redirect(303, `/payments/review?draft=${draftId}`);
  });

  /** The gateway's return URL: verify the reference, save the method, continue to review. */
  router.get('/method-added', async (req, res) => {
    const draftId = typeof req.query.draft === 'string' ? req.query.draft : '';
    const draft = draftOf(req, res, draftId);
    if (!draft) return res.redirect(303, '/payments/new');
    const ref = typeof req.query.gateway_ref === 'string' ? req.query.gateway_ref : '';
    const id = await deps.paymentMethods.addFromGateway(actorOf(req, res), ref, gatewayStateOf(req, res));
    if (!id)
      return res.status(400).render('errors/generic', {
        title: 'The payment method could not be added',
        message: 'The payment page’s answer could not be verified. Nothing was saved. Start again.',
      });
    draft.methodId = id;
    res.redirect(303, `/payments/review?draft=${draftId}`);
  });

  router.get('/review', async (req, res) => {
    const scope = res.locals.scope!;
    const draftId = typeof req.query.draft === 'string' ? req.query.draft : '';
    const draft = draftOf(req, res, draftId);
    if (!draft || draft.methodId === null) return res.redirect(303, '/payments/new');
    if (draft.paymentId) return res.redirect(303, `/payments/${draft.paymentId}`);
    const method = await deps.paymentMethods.find(scope.customerId, draft.methodId);
    if (!method) return res.redirect(303, `/payments/new?draft=${draftId}`);
    const invoices = await deps.invoicesRepo.payable(
      scope.customerId,
      scope.labelId,
      draft.allocations.map((a) => a.invoiceId),
    );
    draft.key ??= randomUUID(); // one idempotency key per confirmation page, kept across reloads
    res.render('payments/review', { title: 'Check your payment', draft, draftId, method, invoices });
  });

  router.post('/confirm', async (req, res) => {
    const scope = res.locals.scope!;
    const parsed = confirmForm.safeParse(req.body);
    if (!parsed.success)
      return res.status(400).render('errors/generic', {
        title: 'This confirmation is not valid',
        message: 'Start the payment again.',
      });
    const f = parsed.data;
    const invs = await Promise.all(
      f.alloc.map((a) => deps.invoicesRepo.find(scope.customerId, scope.labelId, a.invoiceId)),
    );
    if (invs.some((i) => !i)) throw new NotFound();
    const currencies = new Set(invs.map((i) => i!.currency));
    const total = f.alloc.reduce((s, a) => s + a.amountMinor, 0);
    if (currencies.size !== 1 || f.alloc.some((a) => a.amountMinor <= 0))
      return res.status(400).render('errors/generic', {
        title: 'This confirmation is not valid',
        message: 'Start the payment again.',
      });
    try {
      const id = await deps.payments.confirm(
        scope,
        actorOf(req, res),
        {
          methodId: f.method,
          payDate: f.payDate,
          allocations: f.alloc,
          currency: [...currencies][0]!,
          totalMinor: total,
        },
        f.key,
      );
      const draft = draftOf(req, res, f.draft);
      if (draft) draft.paymentId = id;
      res.redirect(303, `/payments/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      const draft = draftOf(req, res, f.draft);
      await renderForm(
        res,
        400,
        {
          chosen: f.alloc.map((a) => a.invoiceId),
          typed: draft?.typed ?? {},
          method: String(f.method),
          payDate: f.payDate,
        },
        err.errors,
      );
    }
  });

  router.post('/:id/cancel', async (req, res) => {
    const scope = res.locals.scope!;
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw new NotFound();
    await deps.payments.cancel(scope, actorOf(req, res), id);
    req.session.flash = 'The scheduled payment was cancelled.';
    res.redirect(303, `/payments/${id}`);
  });

  return router;
}
