/** One place that turns errors into pages: typed errors keep their status; nothing leaks. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../lib/logger.ts';
import { FALLBACK_LABEL } from '../modules/labels/labels.service.ts';
import { CsrfToken, hasCsrfToken } from './csrf.ts';
import { HttpError, NotFound, ValidationFailed } from './errors.ts';
import { loggablePath } from './request-id.ts';

/**
 * SQLSTATEs and socket errors of a database that is gone or going: connection failures (08),
 * administrator/crash shutdown and starting up (57P01-57P03), a session ended by the server's
 * idle time-outs (25P03, 57P05), too many connections (53300).
 */
const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '57P05',
  '25P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/**
 * What pg and knex say, without a code, about a connection that died: mid-query, or between two
 * statements of a transaction ("not queryable"), or while its ROLLBACK was being sent.
 */
const DB_DOWN_MESSAGE =
  /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|is not queryable|Connection ended unexpectedly|terminating connection/i;

export function isDatabaseDown(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && DB_DOWN_CODES.has(e.code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.message === 'string' && DB_DOWN_MESSAGE.test(e.message)) return true;
  return isDatabaseDown(e.cause, depth + 1);
}

export const notFound: RequestHandler = (_req, _res, next) => {
  next(new NotFound());
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    let status = 500;
    let view = 'errors/500';
    let title = 'Sorry, there is a problem with the service';
    const code = (err as { code?: unknown }).code;
    if (code === 'EBADCSRFTOKEN') {
      status = 403;
      view = 'errors/csrf';
      title = 'This form has expired';
    } else if (err instanceof HttpError && (err.status === 404 || err.status === 403)) {
      status = err.status;
      view = `errors/${err.status}`;
      title = err.status === 404 ? 'Page not found' : 'You do not have access to this page';
    } else if (err instanceof HttpError) {
      status = err.status;
      view = 'errors/generic';
      title = err.message;
    } else if ((err as { type?: unknown }).type === 'entity.too.large') {
      status = 413;
      view = 'errors/generic';
      title = 'What you sent is too large';
    } else if (isDatabaseDown(err)) {
      status = 503;
      view = 'errors/503';
      title = 'Sorry, the service is unavailable';
    }
    const log = status >= 500 ? logger.error.bind(logger) : logger.info.bind(logger);
    log(
      {
        err: status >= 500 ? err : undefined,
        status,
        path: loggablePath(req.path),
        requestId: res.locals.requestId,
        userId: req.user?.id,
      },
      status >= 500 ? 'request failed' : 'request refused',
    );
    if (status === 403) {
      logger.warn(
        {
          event: 'access_denied',
          path: loggablePath(req.path),
          method: req.method,
          userId: req.user?.id,
          customerId: res.locals.scope?.customerId,
          requestId: res.locals.requestId,
        },
        'access denied',
      );
    }
    res.locals.label ??= FALLBACK_LABEL;
    // An error page has no form: it gives a visitor without one no token (and so no session);
    // the signed-in layout's sign-out form has one even when the error came before csrfToken.
    res.locals.csrfToken =
      req.session && (req.user || hasCsrfToken(req))
        ? (res.locals.csrfToken ?? new CsrfToken(req))
        : undefined;
    res.status(status);
    if (status === 503) res.setHeader('Retry-After', '5');
    const errors = err instanceof ValidationFailed ? err.errors : undefined;
    res.render(
      view,
      { title, message: err instanceof HttpError ? err.message : undefined, errors },
      (renderErr, html) => {
        if (renderErr) {
          logger.error({ err: renderErr, requestId: res.locals.requestId }, 'error page failed');
          return res.type('text/plain').send(title);
        }
        res.send(html);
      },
    );
  };
}
