/**
 * /account: one's own name, password, notification settings and two-step sign-in. Mounted
 * behind requireAuth and noStore.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { FieldError } from '../../http/errors.ts';
import { parseForm } from '../../http/forms.ts';
import type { Deps } from '../../container.ts';
import { newPasswordSchema } from '../password/password.routes.ts';
import { passwordProblem } from '../password/password.policy.ts';
import { postedCode } from '../auth/two-step.service.ts';
import { REMINDER_DAYS } from '../notifications/notifications.service.ts';

const nameSchema = z.object({
  name: z
    .string({ error: 'Enter your name' })
    .trim()
    .min(1, 'Enter your name')
    .max(200, 'Name must be 200 characters or fewer'),
});

const changeSchema = z
  .object({
    current: z
      .string({ error: 'Enter your current password' })
      .min(1, 'Enter your current password')
      .max(1024, 'Password must be 1,024 characters or fewer'),
  })
  .and(newPasswordSchema);

export function accountRoutes(deps: Deps): Router {
  const router = Router();

  const render = async (
    req: Request,
    res: Response,
    status: number,
    locals: { errors?: FieldError[]; name?: unknown; flash?: string } = {},
  ) => {
    const twoStep = await deps.twoStep.status(req.user!.id);
    const notifications = await deps.notifications.preferences(req.user!.id);
    res.status(status).render('account/index', {
      title: 'Your account',
      me: req.user,
      errors: locals.errors ?? [],
      name: locals.name ?? req.user!.name,
      flash: locals.flash,
      twoStep,
      notifications,
      reminderDays: REMINDER_DAYS,
      // Lessor staff pay nothing and see invoices only through a customer: no reminders.
      canRemind: req.user!.role !== 'superuser',
    });
  };

  router.get('/', async (req, res) => {
    const flash = req.session.flash;
    delete req.session.flash;
    await render(req, res, 200, { flash });
  });

  router.post('/name', async (req, res) => {
    const form = parseForm(nameSchema, req.body);
    if (!form.ok) return render(req, res, 400, { errors: form.errors, name: form.values.name });
    const user = req.user!;
    await deps.account.rename(user, res.locals.scope?.customerId ?? user.customerId, form.data.name, {
      ip: req.ip ?? null,
      requestId: res.locals.requestId ?? null,
    });
    req.session.flash = 'Your name has been saved.';
    res.redirect(303, '/account');
  });

  // Notification settings: unchecked boxes are absent from the form, so absent means off.
  router.post('/notifications', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const on = (name: string) => [body.notify].flat().includes(name);
    const user = req.user!;
    await deps.notifications.save(
      user.id,
      {
        paymentReceipts: on('payment-receipts'),
        dueReminders: user.role !== 'superuser' && on('due-reminders'),
      },
      {
        ip: req.ip ?? null,
        requestId: res.locals.requestId,
        customerId: res.locals.scope?.customerId ?? user.customerId,
      },
    );
    req.session.flash = 'Your notification settings have been saved.';
    res.redirect(303, '/account#notifications');
  });

  router.post('/password', async (req, res, next) => {
    const user = req.user!;
    const form = parseForm(changeSchema, req.body);
    // Not built on the user's name or e-mail, the customer's name or the label's (password.policy.ts).
    const { label, scope } = res.locals;
    const problem = form.ok
      ? passwordProblem(form.data.password, {
          email: user.email,
          names: [user.name, scope?.customer.name ?? user.ownCustomer?.name, label.name, label.code],
        })
      : undefined;
    if (!form.ok || problem)
      return render(req, res, 400, {
        errors: form.ok ? [{ field: 'password', message: problem! }] : form.errors,
      });
    const result = await deps.passwords.change(user.id, form.data.current, form.data.password, {
      ip: req.ip ?? null,
      requestId: res.locals.requestId,
      customerId: res.locals.scope?.customerId ?? user.customerId,
    });
    if (result === 'wrong_current')
      return render(req, res, 400, {
        errors: [{ field: 'current', message: 'Your current password is wrong' }],
      });
    // Other sessions end (the version moved on); this one carries the new version forward.
    const fresh = await deps.auth.userForSession(user.id, user.sessionVersion + 1);
    if (!fresh) return res.redirect(303, '/login');
    req.logIn(fresh, { session: true, keepSessionInfo: true }, (err) => {
      if (err) return next(err);
      req.session.flash = 'Your password has been changed. Your other sessions have been signed out.';
      req.session.save(() => res.redirect(303, '/account'));
    });
  });

  // Two-step sign-in: enrol (QR code + key, confirmed by a first code), recovery codes, switch off.
  const ENROL_MS = 15 * 60 * 1000;
  const ctx = (req: Request, res: Response) => ({
    ip: req.ip ?? null,
    requestId: res.locals.requestId,
    customerId: res.locals.scope?.customerId ?? req.user!.customerId,
  });

  const renderEnrol = async (req: Request, res: Response, status: number, errors: FieldError[] = []) => {
    const user = req.user!;
    // The key is sealed in the session (the sessions table never holds it in clear).
    const enrol = req.session.twoStepEnrol;
    let secret = enrol?.sealed && deps.twoStep.enrolmentSecret(enrol.sealed, user.id);
    if (!enrol || !secret || deps.clock.now().getTime() - enrol.at > ENROL_MS) {
      const sealed = deps.twoStep.newEnrolment(user.id);
      req.session.twoStepEnrol = { sealed, at: deps.clock.now().getTime() };
      secret = deps.twoStep.enrolmentSecret(sealed, user.id)!;
    }
    const { qr } = await deps.twoStep.qrFor(secret, user.email, res.locals.label.name);
    res.status(status).render('account/two-step', {
      title: 'Set up two-step sign-in',
      me: user,
      required: deps.config.twoStepRequiredForAdmins && user.role !== 'user',
      qr,
      secret: secret.replace(/(.{4})/g, '$1 ').trim(),
      errors,
    });
  };

  router.get('/two-step', async (req, res) => {
    if (await deps.twoStep.isEnabled(req.user!.id)) return res.redirect(303, '/account');
    await renderEnrol(req, res, 200);
  });

  router.post('/two-step', async (req, res) => {
    const user = req.user!;
    const enrol = req.session.twoStepEnrol;
    const code = postedCode(req.body, 32);
    if (!enrol?.sealed || deps.clock.now().getTime() - enrol.at > ENROL_MS)
      return res.redirect(303, '/account/two-step');
    if (!code)
      return renderEnrol(req, res, 400, [{ field: 'code', message: 'Enter the 6-digit code from your app' }]);
    const codes = await deps.twoStep.enable(user, enrol.sealed, code, ctx(req, res));
    if (!codes)
      return renderEnrol(req, res, 400, [
        { field: 'code', message: 'That code is wrong. Enter the code your app shows now' },
      ]);
    delete req.session.twoStepEnrol;
    res.render('account/recovery-codes', { title: 'Your recovery codes', codes });
  });

  router.post('/two-step/disable', async (req, res) => {
    const user = req.user!;
    // Admins and superusers keep it on: the issue asks two-step sign-in of them.
    if (user.role !== 'user')
      return render(req, res, 400, {
        errors: [{ field: 'two-step', message: 'Admins cannot switch two-step sign-in off' }],
      });
    await deps.twoStep.disable(user.id, ctx(req, res));
    req.session.flash = 'Two-step sign-in is off.';
    res.redirect(303, '/account');
  });

  return router;
}
