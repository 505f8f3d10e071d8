import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '../observability/metrics';
import { setResponseHeader } from './response-header';

export interface ObserveOptions {
  instance: string;
  metrics: Metrics;
  /** True once shutdown began: responses then carry `Connection: close` so clients move to another replica. */
  draining: () => boolean;
}

/**
 * Stamps every response with `X-Instance` and records its count and latency under the route template
 * (`/api/users/:id`, never the raw path, so the metric has a bounded set of series).
 */
export function observe({ instance, metrics, draining }: ObserveOptions): MiddlewareHandler {
  return async function observeRequest(c, next) {
    const start = performance.now();
    // Set before the handler runs, so whatever response it makes (errors included) carries it.
    setResponseHeader(c, 'X-Instance', instance);
    await next();
    // Checked after the handler: a request already in flight when shutdown began must close its connection too.
    if (draining()) setResponseHeader(c, 'Connection', 'close');
    const template = routePath(c, -1);
    const route = c.res.status === 404 && template.endsWith('*') ? 'unmatched' : template;
    metrics.observeRequest(c.req.method, route, c.res.status, (performance.now() - start) / 1000);
  };
}
