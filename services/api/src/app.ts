import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Deps } from './deps';
import { HttpError } from './errors';
import { eventRoutes } from './events/routes';
import { type DeadlineVariables, deadline } from './http/deadline';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { allowedMethods } from './http/method-not-allowed';
import { observe } from './http/observe';
import { labRoutes } from './lab/routes';
import { shed } from './lab/shed';
import { systemRoutes } from './system/routes';
import { userRoutes } from './users/routes';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the Hono app of one replica from its dependencies; `index.ts` serves it, tests call `app.request()`. */
export function createApp(deps: Deps) {
  const app = new Hono<{ Variables: DeadlineVariables }>();
  app.onError(errorHandler(deps.log));

  app.use(observe({ instance: deps.env.INSTANCE_ID, metrics: deps.metrics, draining: deps.draining }));
  // Load shedding (SHED_LAG_MS > 0): after observe, so a shed request is counted and stamped; on /api/* only, so
  // /health, /ready and /metrics are always answered. Not mounted at all when off: the happy path runs nothing.
  const { lag } = deps.protection;
  if (lag)
    app.use(
      '/api/*',
      shed({
        overloaded: (factor) => lag.state.overloadedAt(performance.now(), factor),
        onShed: deps.protection.metrics.shed,
        costlyMs: deps.env.SHED_COSTLY_MS,
        costs: deps.protection.routeCosts,
      }),
    );
  app.use('/api/*', deadline({ budgetMs: deps.env.REQUEST_DEADLINE_MS }));
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
  // Always mounted: events are queued on the Redis stream and written by the workers (services/worker).
  app.route(
    '/api/events',
    eventRoutes({ queue: deps.events, maxPayloadBytes: deps.env.EVENT_PAYLOAD_MAX_BYTES }),
  );
  // The overload lab's endpoints exist only where the stack asks for them; elsewhere /api/lab/* is a 404.
  if (deps.env.LAB_ENDPOINTS === 'on') app.route('/api/lab', labRoutes(deps.protection));
  // Built from the finished route table, so a route added above is known to the 405 answer without a list here.
  app.notFound(notFoundHandler(allowedMethods(app.routes)));
  return app;
}
