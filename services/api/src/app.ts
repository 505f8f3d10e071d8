import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Deps } from './deps';
import { HttpError } from './errors';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { observe } from './http/observe';
import { systemRoutes } from './system/routes';
import { userRoutes } from './users/routes';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the Hono app of one replica from its dependencies; `index.ts` serves it, tests call `app.request()`. */
export function createApp(deps: Deps) {
  const app = new Hono();
  app.onError(errorHandler(deps.log));
  app.notFound(notFoundHandler);

  app.use(observe({ instance: deps.env.INSTANCE_ID, metrics: deps.metrics, draining: deps.draining }));
  // Only on methods with a body: the check reads `req.raw.body`, which would build a full Request on every GET.
  app.on(
    ['POST', 'PUT', 'PATCH'],
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body is over ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.route('/', systemRoutes(deps));
  app.route('/api/users', userRoutes(deps.store));
  return app;
}
