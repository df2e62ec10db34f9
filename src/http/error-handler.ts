/** One place that turns errors into pages: typed errors keep their status; nothing leaks. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../lib/logger.ts';
import { FALLBACK_LABEL } from '../modules/labels/labels.service.ts';
import { HttpError, NotFound } from './errors.ts';
import { loggablePath } from './request-id.ts';

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

export function isDatabaseDown(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof e.code === 'string' && DB_DOWN_CODES.has(e.code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  return (
    typeof e.message === 'string' &&
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(e.message)
  );
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
    res.status(status);
    if (status === 503) res.setHeader('Retry-After', '5');
    try {
      res.render(view, { title, message: err instanceof HttpError ? err.message : undefined });
    } catch {
      res.type('text/plain').send(title);
    }
  };
}
