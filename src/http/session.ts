/**
 * Sessions in Postgres (the `sessions` table), idle and absolute time-outs checked on the server
 * against the one clock, so they hold even if a cookie is replayed. Reading a session also reads
 * what the request needs of its user in the same statement (`read`): passport's deserializer
 * takes it from `sessionAttachment(req)` instead of asking the database again.
 */
import session, { type SessionData } from 'express-session';
import type { Knex } from 'knex';
import type { Request, RequestHandler } from 'express';
import type { Clock } from '../lib/clock.ts';

export function sessionCookieName(isProduction: boolean): string {
  return isProduction ? '__Host-portal.sid' : 'portal.sid';
}

/** Reads a live session row by id, with whatever the app wants read alongside it. */
export type ReadSession = (
  sid: string,
  nowMs: number,
) => Promise<{ sess: unknown; attachment: unknown } | undefined>;

const attachments = new WeakMap<Request, unknown>();
const ATTACHMENT = Symbol('session attachment');

/** What `ReadSession` read with this request's session (undefined if nothing was). */
export function sessionAttachment(req: Request): unknown {
  return attachments.get(req);
}

/** A SQLSTATE of class 22 (data exception: 22P05 untranslatable \u0000, 22P02 bad JSON...). */
function isUnreadableData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

function isSessionLike(sess: unknown): boolean {
  return !!sess && typeof sess === 'object' && !Array.isArray(sess) && 'cookie' in sess;
}

/**
 * The session as JSON that Postgres can read back: a \u0000 escape (a NUL in a key or value) is
 * accepted by a json column but breaks every json operator on the row, so it is dropped.
 */
export function storableJson(sess: unknown): string {
  return JSON.stringify(sess).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1');
}

export class PgSessionStore extends session.Store {
  constructor(
    private readonly db: Knex,
    private readonly read: ReadSession,
    private readonly idleMs: number,
  ) {
    super();
  }

  override get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void {
    this.read(sid, Date.now()).then(
      (found) => {
        if (!found || !isSessionLike(found.sess)) return cb(null, null);
        const sess = found.sess as SessionData;
        // Not enumerable: express-session copies, hashes and saves only the session's own data.
        Object.defineProperty(sess, ATTACHMENT, { value: found.attachment, enumerable: false });
        cb(null, sess);
      },
      (err: unknown) => {
        // A row that cannot be read (bad JSON, a \u0000 no json operator accepts) is no session:
        // the visitor starts a fresh one, and the row goes. A database that is down is an error.
        if (!isUnreadableData(err)) return cb(err);
        this.destroy(sid, () => cb(null, null));
      },
    );
  }

  override createSession(req: Request, sess: SessionData) {
    const attachment = (sess as SessionData & { [ATTACHMENT]?: unknown })[ATTACHMENT];
    if (attachment !== undefined) attachments.set(req, attachment);
    return super.createSession(req, sess);
  }

  override set(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
    const expires = sess.cookie.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + this.idleMs);
    this.db('sessions')
      .insert({
        sid,
        sess: storableJson(sess),
        expire: this.db.raw('to_timestamp(?)', [expires.getTime() / 1000]),
      })
      .onConflict('sid')
      .merge(['sess', 'expire'])
      .then(
        () => cb?.(),
        (err: unknown) => cb?.(err),
      );
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db('sessions')
      .where({ sid })
      .del()
      .then(
        () => cb?.(),
        (err: unknown) => cb?.(err),
      );
  }

  /**
   * No UPDATE on every request: the session is saved when lastSeenAt moves on (at most once a
   * minute, enforceSessionTimeouts), which also moves the row's expiry; the idle and absolute
   * limits are checked on the server either way.
   */
  override touch(_sid: string, _sess: SessionData, cb?: () => void): void {
    cb?.();
  }
}

export function setUpSession(opts: {
  db: Knex;
  read: ReadSession;
  secret: string;
  isProduction: boolean;
  idleMs: number;
}): { middleware: RequestHandler } {
  const middleware = session({
    name: sessionCookieName(opts.isProduction),
    secret: opts.secret,
    store: new PgSessionStore(opts.db, opts.read, opts.idleMs),
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
  return { middleware };
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
