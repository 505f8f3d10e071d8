import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { HttpError } from '../errors';
import type { Logger } from '../observability/logger';

function send(c: Context, err: HttpError) {
  if (err.retryAfterS !== undefined) c.header('Retry-After', String(err.retryAfterS));
  return c.json(err.toBody(), err.status);
}

/**
 * The one place where errors become responses. Known errors keep their status and code; anything else is logged
 * with its stack and answered as a bare 500, so a client never sees internals.
 */
export function errorHandler(log: Logger): ErrorHandler {
  return function onError(err, c) {
    if (err instanceof HttpError) return send(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      return send(c, new HttpError(400, 'BAD_REQUEST', err.message || 'bad request'));
    }
    log.error('unhandled error', { method: c.req.method, path: c.req.path, err: err.stack ?? String(err) });
    return send(c, new HttpError(500, 'INTERNAL', 'internal server error'));
  };
}

/**
 * Unmatched requests: 405 with `Allow` when the path is a route that answers other methods, else 404. The path is
 * echoed JSON-escaped (c.json), so nothing in it can break the body.
 */
export function notFoundHandler(methodsFor: (path: string) => string[]): NotFoundHandler {
  return function notFound(c) {
    const allowed = methodsFor(c.req.path);
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      return send(
        c,
        new HttpError(
          405,
          'METHOD_NOT_ALLOWED',
          `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
        ),
      );
    }
    return send(c, new HttpError(404, 'ROUTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));
  };
}
