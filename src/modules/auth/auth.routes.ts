import { Router, type Request, type RequestHandler, type Response, type NextFunction } from 'express';
import type { Passport } from 'passport';
import { safeReturnTo } from '../../http/auth.ts';
import { parseForm } from '../../http/forms.ts';
import type { Deps } from '../../container.ts';
import { signInSchema } from './auth.schemas.ts';

type AuthCallback = (err: unknown, user: Express.User | false, info?: { message?: string }) => void;

function renderSignIn(res: Response, status: number, locals: Record<string, unknown>): void {
  res
    .status(status)
    .render('auth/login', { title: 'Sign in', errors: [], values: {}, notice: undefined, ...locals });
}

export function authRoutes(deps: Deps, passport: InstanceType<typeof Passport>): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    const notice =
      req.query.timeout === '1'
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
          void audit(throttled ? 'auth.sign_in_throttled' : 'auth.sign_in_failed', null, null).catch(next);
          if (throttled) {
            const minutes = Math.max(1, Math.ceil(Number(info?.message?.split(':')[1] ?? 60) / 60));
            res.setHeader('Retry-After', String(minutes * 60));
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
          return renderSignIn(res, 401, {
            errors: [{ field: 'email', message: 'Email or password is wrong' }],
            values: { email: form.data.email, returnTo },
          });
        }
        // passport regenerates the session id here (fixation protection).
        req.logIn(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          const now = deps.clock.now().getTime();
          req.session.createdAt = now;
          req.session.lastSeenAt = now;
          deps.logger.info(
            { event: 'sign_in', userId: user.id, requestId: res.locals.requestId },
            'signed in',
          );
          audit('auth.sign_in', user.id, user.customerId)
            .then(() => req.session.save(() => res.redirect(303, returnTo)))
            .catch(next);
        });
      },
    )(req, res, next);
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
