/**
 * Sessions in Postgres (connect-pg-simple), idle and absolute time-outs checked on the server
 * against the one clock, so they hold even if a cookie is replayed.
 */
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import type { RequestHandler } from 'express';
import type { Clock } from '../lib/clock.ts';

export function sessionCookieName(isProduction: boolean): string {
  return isProduction ? '__Host-portal.sid' : 'portal.sid';
}

export function setUpSession(opts: {
  databaseUrl: string;
  poolMax: number;
  secret: string;
  isProduction: boolean;
  idleMs: number;
}): { middleware: RequestHandler; close(): Promise<void> } {
  const PgStore = connectPgSimple(session);
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.poolMax,
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', () => undefined); // a dropped idle connection is replaced on next use
  const store = new PgStore({
    pool,
    tableName: 'sessions',
    createTableIfMissing: false,
    pruneSessionInterval: false,
    // No UPDATE on every request: the session is saved when lastSeenAt moves on (at most once a
    // minute, enforceSessionTimeouts), which also moves the row's expiry; the idle and absolute
    // limits are checked on the server either way.
    disableTouch: true,
  });
  const middleware = session({
    name: sessionCookieName(opts.isProduction),
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: undefined,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: opts.isProduction,
      path: '/',
      maxAge: opts.idleMs,
    },
  });
  return {
    middleware,
    async close() {
      await pool.end();
    },
  };
}

/** Ends a signed-in session that was idle too long or is older than the absolute limit. */
export function enforceSessionTimeouts(clock: Clock, idleMs: number, absoluteMs: number): RequestHandler {
  return (req, res, next) => {
    const s = req.session as typeof req.session | undefined;
    if (!s?.passport?.user) return next();
    const now = clock.now().getTime();
    const created = s.createdAt ?? now;
    const lastSeen = s.lastSeenAt ?? now;
    if (now - lastSeen > idleMs || now - created > absoluteMs) {
      s.destroy(() => {
        res.clearCookie(sessionCookieName(req.app.get('env') === 'production'));
        if (req.method === 'GET') return res.redirect(303, '/login?timeout=1');
        res.status(401);
        return res.redirect(303, '/login?timeout=1');
      });
      return;
    }
    // Write the time back at most once a minute, so most requests do not rewrite the session.
    if (now - lastSeen > 60_000 || s.lastSeenAt === undefined) s.lastSeenAt = now;
    s.createdAt = created;
    next();
  };
}

declare module 'express-session' {
  interface SessionData {
    passport?: { user?: unknown };
  }
}
