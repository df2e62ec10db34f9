import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../lib/logger.ts';

/** The path as logged: the secret in a password link (/reset-password/:token) is left out. */
export function loggablePath(path: string): string {
  return path.replace(/^\/reset-password\/[^/]+/, '/reset-password/[redacted]');
}

/** Gives each request an id (echoed in X-Request-Id) and logs one line when it ends. */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info(
        {
          requestId: id,
          method: req.method,
          path: loggablePath(req.path),
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          userId: req.user?.id,
        },
        'request',
      );
    });
    next();
  };
}
