import { Router, type Request, type RequestHandler, type Response, type NextFunction } from 'express';
import type { Passport } from 'passport';
import { safeReturnTo } from '../../http/auth.ts';
import { parseForm } from '../../http/forms.ts';
import type { Deps } from '../../container.ts';
import { signInSchema } from './auth.schemas.ts';
import { postedCode } from './two-step.service.ts';

type AuthCallback = (err: unknown, user: Express.User | false, info?: { message?: string }) => void;

function renderSignIn(res: Response, status: number, locals: Record<string, unknown>): void {
  res
    .status(status)
    .render('auth/login', { title: 'Sign in', errors: [], values: {}, notice: undefined, ...locals });
}

/** Signs the user in (passport regenerates the session id: fixation protection), audits, redirects. */
export function completeSignIn(
  deps: Deps,
  req: Request,
  res: Response,
  next: NextFunction,
  user: Express.User,
  returnTo: string,
): void {
  req.logIn(user, (loginErr) => {
    if (loginErr) return next(loginErr);
    const now = deps.clock.now().getTime();
    req.session.createdAt = now;
    req.session.lastSeenAt = now;
    deps.logger.info({ event: 'sign_in', userId: user.id, requestId: res.locals.requestId }, 'signed in');
    deps.audit
      .record({
        actorUserId: user.id,
        actingCustomerId: user.customerId,
        action: 'auth.sign_in',
        entityType: 'user',
        entityId: user.id,
        ip: req.ip ?? null,
        requestId: res.locals.requestId,
      })
      .then(() => req.session.save(() => res.redirect(303, returnTo)))
      .catch(next);
  });
}

export function authRoutes(deps: Deps, passport: InstanceType<typeof Passport>): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    // Set on the sessions of a user whose role or permissions an admin changed (admin-users); told once.
    const session = req.session as typeof req.session & { accessChanged?: boolean };
    const accessChanged = session.accessChanged === true;
    if (accessChanged) delete session.accessChanged;
    const notice = accessChanged
      ? 'Your access was changed by your administrator; sign in again.'
      : req.query.timeout === '1'
        ? 'You were signed out because you were inactive for a while. Sign in again to continue.'
        : req.query.signedOut === '1'
          ? 'You have signed out.'
          : undefined;
    renderSignIn(res, 200, { notice, values: { returnTo: safeReturnTo(req.query.returnTo) } });
  });

  router.post('/login', (req: Request, res: Response, next: NextFunction) => {
    const form = parseForm(signInSchema, req.body);
    if (!form.ok)
      return renderSignIn(res, 400, {
        errors: form.errors,
        values: { email: form.values.email, returnTo: form.values.returnTo },
      });
    const returnTo = safeReturnTo(form.data.returnTo);
    const audit = (action: string, userId: number | null, customerId: number | null): Promise<void> =>
      deps.audit.record({
        actorUserId: userId,
        actingCustomerId: customerId,
        action,
        entityType: 'user',
        entityId: userId,
        after: userId ? undefined : { email: form.data.email.toLowerCase() },
        ip: req.ip ?? null,
        requestId: res.locals.requestId,
      });

    (passport.authenticate.bind(passport) as (s: string, cb: AuthCallback) => RequestHandler)(
      'local',
      (err: unknown, user: Express.User | false, info?: { message?: string }) => {
        if (err) return next(err);
        if (!user) {
          const throttled = info?.message?.startsWith('throttled:');
          deps.logger.warn(
            {
              event: throttled ? 'sign_in_throttled' : 'sign_in_failed',
              ip: req.ip,
              requestId: res.locals.requestId,
            },
            'sign-in refused',
          );
          // The refusal is answered once its audit row is written (none lost to a crash).
          const answer = (): void => {
            if (throttled) {
              const seconds = Math.max(1, Number(info?.message?.split(':')[1]) || 60);
              const minutes = Math.ceil(seconds / 60);
              res.setHeader('Retry-After', String(seconds));
              return renderSignIn(res, 429, {
                errors: [
                  {
                    field: 'email',
                    message: `Too many sign-in attempts. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`,
                  },
                ],
                values: { email: form.data.email, returnTo },
              });
            }
            renderSignIn(res, 401, {
              errors: [{ field: 'email', message: 'Email or password is wrong' }],
              values: { email: form.data.email, returnTo },
            });
          };
          return void audit(throttled ? 'auth.sign_in_throttled' : 'auth.sign_in_failed', null, null)
            .then(answer)
            .catch(next);
        }
        // Two-step sign-in: the password was right; the session is not signed in until the code is.
        deps.twoStep
          .isEnabled(user.id)
          .then((twoStep) => {
            if (!twoStep) return completeSignIn(deps, req, res, next, user, returnTo);
            req.session.twoStep = { userId: user.id, returnTo, at: deps.clock.now().getTime() };
            req.session.save(() => res.redirect(303, '/login/two-step'));
          })
          .catch(next);
      },
    )(req, res, next);
  });

  // Second step: a code from the authenticator app or a recovery code. Paste allowed.
  const TWO_STEP_MS = 5 * 60 * 1000;
  const pending = (req: Request) => {
    const p = req.session.twoStep;
    return p && deps.clock.now().getTime() - p.at < TWO_STEP_MS ? p : undefined;
  };
  const renderTwoStep = (res: Response, status: number, errors: { field: string; message: string }[] = []) =>
    res.status(status).render('auth/two-step', { title: 'Enter your sign-in code', errors });

  router.get('/login/two-step', (req, res) => {
    if (!pending(req)) return res.redirect(303, '/login');
    res.setHeader('Cache-Control', 'no-store');
    renderTwoStep(res, 200);
  });

  router.post('/login/two-step', async (req, res, next) => {
    const p = pending(req);
    if (!p) return res.redirect(303, '/login');
    const code = postedCode(req.body, 64);
    if (!code) return renderTwoStep(res, 400, [{ field: 'code', message: 'Enter the code' }]);
    const user = await deps.users.findById(p.userId);
    if (!user || user.status !== 'active') {
      delete req.session.twoStep;
      return res.redirect(303, '/login');
    }
    const result = await deps.twoStep.verify(user.id, code, {
      ip: req.ip ?? null,
      requestId: res.locals.requestId,
      customerId: user.customerId,
    });
    if (typeof result === 'object') {
      const minutes = Math.max(1, Math.ceil(result.throttledSeconds / 60));
      res.setHeader('Retry-After', String(result.throttledSeconds));
      return renderTwoStep(res, 429, [
        {
          field: 'code',
          message: `Too many wrong codes. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`,
        },
      ]);
    }
    if (result === 'wrong')
      return renderTwoStep(res, 401, [
        {
          field: 'code',
          message: 'That code is wrong or has been used. Enter the current code from your app',
        },
      ]);
    delete req.session.twoStep;
    const { passwordHash: _h, status: _s, ...sessionUser } = user;
    completeSignIn(deps, req, res, next, sessionUser, p.returnTo);
  });

  // The time-out dialog's "Stay signed in": the session middleware has already renewed it.
  router.post('/session/keepalive', (req, res) => {
    if (!req.user) return res.status(401).end();
    req.session.lastSeenAt = deps.clock.now().getTime();
    res.status(204).end();
  });

  router.post('/logout', (req, res, next) => {
    const user = req.user;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie(deps.sessionCookieName);
        if (user)
          deps.logger.info(
            { event: 'sign_out', userId: user.id, requestId: res.locals.requestId },
            'signed out',
          );
        res.redirect(303, '/login?signedOut=1');
      });
    });
  });

  return router;
}
