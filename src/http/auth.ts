/**
 * passport-local sign-in and the guards mounted in front of routers. Passport (0.6+)
 * regenerates the session id at login. The serialized user carries its session version: an
 * admin's deactivation or a password change bumps it and every older session ends.
 */
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Request, RequestHandler } from 'express';
import { sessionUserFrom, type AuthService } from '../modules/auth/auth.service.ts';
import type { SessionRead } from '../modules/auth/users.repository.ts';
import { sessionAttachment } from './session.ts';
import { Forbidden } from './errors.ts';
import { hasPermission, type Permission, type Role, type SessionUser } from './types.ts';

interface Serialized {
  id: number;
  v: number;
}

/** One Passport per app (not the global singleton), so several apps in one process stay apart. */
export function setUpPassport(auth: AuthService): {
  middleware: RequestHandler[];
  passport: InstanceType<typeof Passport>;
} {
  const passport = new Passport();
  passport.use(
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password', passReqToCallback: true },
      (req, email, password, done) => {
        auth
          .signIn(email, password, req.ip ?? 'unknown')
          .then((r) => {
            if (r.ok) return done(null, r.user);
            return done(
              null,
              false,
              r.reason === 'throttled'
                ? { message: `throttled:${r.retryAfterSeconds}` }
                : { message: 'invalid' },
            );
          })
          .catch(done);
      },
    ),
  );
  passport.serializeUser((user, done) => {
    done(null, { id: user.id, v: user.sessionVersion } satisfies Serialized);
  });
  passport.deserializeUser(
    (req: Request, raw: Serialized, done: (err: unknown, user?: SessionUser | false) => void) => {
      // Read with the session row (src/http/session.ts); asked for again only if it was not.
      const read = sessionAttachment(req) as SessionRead | undefined;
      if (read?.user.id === raw.id) return done(null, sessionUserFrom(read, raw.v) ?? false);
      auth
        .userForSession(raw.id, raw.v)
        .then((u) => done(null, u ?? false))
        .catch(done);
    },
  );
  return {
    middleware: [passport.initialize() as RequestHandler, passport.session() as RequestHandler],
    passport,
  };
}

function wantsLogin(req: Parameters<RequestHandler>[0]): string {
  const target = req.method === 'GET' ? req.originalUrl : '/';
  return `/login?returnTo=${encodeURIComponent(target)}`;
}

export const requireAuth: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  res.redirect(303, wantsLogin(req));
};

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (req.user && roles.includes(req.user.role)) return next();
    next(new Forbidden());
  };
}

/** Passes when the user holds any one of the permissions (pages shared by two roles of work). */
export function requireAnyPermission(...permissions: Permission[]): RequestHandler {
  return (req, _res, next) => {
    if (req.user && permissions.some((p) => hasPermission(req.user!, p))) return next();
    next(new Forbidden());
  };
}

export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (req.user && hasPermission(req.user, permission)) return next();
    next(new Forbidden());
  };
}

/** Only our own paths: no scheme, no host, no protocol-relative `//`. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string') return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/[\r\n]/.test(value)) return '/';
  return value;
}

export type { SessionUser };

/**
 * When two-step sign-in is required of admins and superusers, one without it is sent to set it
 * up before anything else (signing out and keeping the session alive stay open).
 */
export function requireTwoStepForAdmins(required: boolean): RequestHandler {
  const open = new Set(['/account/two-step', '/logout', '/session/keepalive']);
  return (req, res, next) => {
    const u = req.user;
    if (!required || !u || u.role === 'user' || u.twoStepOn || open.has(req.path)) return next();
    res.redirect(303, '/account/two-step');
  };
}
