/**
 * Synchronizer-token CSRF (csrf-sync): the token lives in the session, every form posts it.
 *
 * The token is minted only when a page prints it (`<%= csrfToken %>`): a redirect, a 404 or a
 * file download leaves an anonymous visitor without a session, so only a page with a form
 * creates one (express-session's saveUninitialized is false).
 */
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
    return fromBody ?? req.get('x-csrf-token');
  },
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
});

export const csrfProtection: RequestHandler = csrfSynchronisedProtection;

/** The session's token, written into the session the first time a template prints it. */
export class CsrfToken {
  #value: string | undefined;
  constructor(private readonly req: Request) {}
  toString(): string {
    return (this.#value ??= generateToken(this.req));
  }
  toJSON(): string {
    return this.toString();
  }
}

/** Whether this request's session already holds a token (so printing one creates nothing). */
export function hasCsrfToken(req: Request): boolean {
  const session = req.session as { csrfToken?: unknown } | undefined;
  return typeof session?.csrfToken === 'string';
}

/** Puts the session's token into every view (`csrfToken`), minted when first printed. */
export const csrfToken: RequestHandler = (req, res, next) => {
  res.locals.csrfToken = new CsrfToken(req);
  next();
};
