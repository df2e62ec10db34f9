/** /forgot-password and /reset-password/:token (also the invitation link). Public routes. */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { parseForm } from '../../http/forms.ts';
import { noStore } from '../../http/security.ts';
import type { Deps } from '../../container.ts';
import { passwordProblem } from './password.policy.ts';

const forgotSchema = z.object({
  email: z
    .string({ error: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .email('Enter an email address in the correct format, like name@example.com'),
});

/** A new password typed twice; the policy checked after the basic shape. */
export const newPasswordSchema = z
  .object({
    password: z
      .string({ error: 'Enter a new password' })
      .max(4096, 'Password must be 1,024 characters or fewer'),
    confirm: z.string({ error: 'Enter the new password again' }).max(4096),
  })
  .superRefine((v, ctx) => {
    const problem = passwordProblem(v.password);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
    else if (v.password !== v.confirm)
      ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The passwords do not match' });
  });

function renderForgot(res: Response, status: number, locals: Record<string, unknown>): void {
  res.status(status).render('password/forgot', {
    title: 'Forgotten your password?',
    errors: [],
    values: {},
    ...locals,
  });
}

export function passwordRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/forgot-password', noStore, (_req, res) => renderForgot(res, 200, {}));

  router.post('/forgot-password', noStore, async (req, res) => {
    const form = parseForm(forgotSchema, req.body);
    if (!form.ok)
      return renderForgot(res, 400, { errors: form.errors, values: { email: form.values.email } });
    const result = await deps.passwords.forgot(form.data.email, req.ip ?? 'unknown', res.locals.label, {
      ip: req.ip ?? null,
      requestId: res.locals.requestId,
    });
    if (!result.ok) {
      const minutes = Math.max(1, Math.ceil(result.retryAfterSeconds / 60));
      res.setHeader('Retry-After', String(minutes * 60));
      return renderForgot(res, 429, {
        errors: [
          {
            field: 'email',
            message: `Too many requests. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`,
          },
        ],
        values: { email: form.data.email },
      });
    }
    // Whether the address is known is looked at once the answer has gone (same answer, same time).
    res.once('close', () => void result.afterResponse());
    res.render('password/forgot-sent', { title: 'Check your email', email: form.data.email });
  });

  const renderReset = async (token: string, res: Response, status: number, errors: unknown[] = []) => {
    const link = await deps.passwords.check(token);
    if (!link)
      return res
        .status(404)
        .render('password/invalid', { title: 'This link has expired or was already used' });
    res.status(status).render('password/reset', {
      title: link.purpose === 'invite' ? 'Set up your account' : 'Choose a new password',
      link,
      token,
      errors,
    });
  };

  router.get('/reset-password/:token', noStore, async (req, res) => {
    await renderReset(String(req.params.token), res, 200);
  });

  router.post('/reset-password/:token', noStore, async (req, res) => {
    const token = String(req.params.token);
    const form = parseForm(newPasswordSchema, req.body);
    if (!form.ok) return renderReset(token, res, 400, form.errors);
    const link = await deps.passwords.check(token);
    // Not built on the user's name or e-mail, the customer's name or the label's (password.policy.ts).
    const label = res.locals.label;
    const problem = link
      ? passwordProblem(form.data.password, {
          email: link.email,
          names: [link.name, link.customerName, label.name, label.code],
        })
      : undefined;
    if (problem) return renderReset(token, res, 400, [{ field: 'password', message: problem }]);
    const done = await deps.passwords.reset(token, form.data.password, {
      ip: req.ip ?? null,
      requestId: res.locals.requestId,
    });
    if (!done)
      return res
        .status(404)
        .render('password/invalid', { title: 'This link has expired or was already used' });
    // Whoever was signed in on this browser is signed out: the password now belongs to the link's user.
    if (req.user) await new Promise<void>((resolve) => req.logout(() => resolve()));
    res.render('password/done', {
      title: link?.purpose === 'invite' ? 'Your account is ready' : 'Your password has been changed',
      purpose: link?.purpose ?? 'reset',
      email: link?.email,
    });
  });

  return router;
}
