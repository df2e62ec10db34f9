/** Synchronizer-token CSRF (csrf-sync): the token lives in the session, every form posts it. */
import { csrfSync } from 'csrf-sync';
import type { RequestHandler } from 'express';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
    return fromBody ?? req.get('x-csrf-token');
  },
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
});

export const csrfProtection: RequestHandler = csrfSynchronisedProtection;

/** Puts the session's token into every view (`csrfToken`). */
export const csrfToken: RequestHandler = (req, res, next) => {
  res.locals.csrfToken = generateToken(req);
  next();
};
