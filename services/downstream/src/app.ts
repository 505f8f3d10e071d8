import { Hono } from 'hono';
import { type Behaviour, type BehaviourPatch, behaviourPatch, draw } from './behaviour';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface DownstreamState {
  /** The behaviour it started with (DELETE /admin/behaviour goes back to it). */
  readonly initial: Behaviour;
  current: Behaviour;
}

export interface AppOptions {
  instance: string;
  state: DownstreamState;
  metrics: Metrics;
  log: Logger;
  /** Numbers in [0, 1) for the draws; tests pass their own. */
  random?: () => number;
  /** Waits `ms` (a timer); tests may pass their own. */
  sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const error = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/**
 * The downstream's routes: `GET /work` (answers after a drawn latency, fails at the error rate), the behaviour's
 * admin (`GET`, `PUT` a partial change, `DELETE` back to the start), `/health` and `/metrics`. Errors are the
 * API's JSON shape, `{ "error": { "code", "message" } }`.
 */
export function createApp({
  instance,
  state,
  metrics,
  log,
  random = Math.random,
  sleep = sleepMs,
}: AppOptions) {
  const app = new Hono();
  app.onError((err, c) => {
    log.error('unhandled error', { path: c.req.path, err: err.stack ?? String(err) });
    return c.json(error('INTERNAL', 'internal server error'), 500);
  });
  app.notFound((c) => c.json(error('ROUTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404));

  app.get('/work', async (c) => {
    const start = performance.now();
    const { delayMs, fail } = draw(state.current, random);
    if (delayMs > 0) await sleep(delayMs);
    metrics.answered(fail, (performance.now() - start) / 1000);
    c.header('X-Instance', instance);
    if (fail) return c.json(error('INJECTED_FAILURE', 'failed on purpose, at the set error rate'), 500);
    return c.json({ ok: true, instance, delayMs });
  });

  app.get('/admin/behaviour', (c) => c.json(state.current));
  app.put('/admin/behaviour', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(error('INVALID_JSON', 'the request body is not valid JSON'), 400);
    }
    const parsed = behaviourPatch.safeParse(body);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(body)',
        message: i.message,
      }));
      return c.json(error('VALIDATION_FAILED', 'the behaviour is invalid', details), 400);
    }
    const patch: BehaviourPatch = parsed.data;
    state.current = { ...state.current, ...patch };
    log.info('behaviour changed', { ...state.current });
    return c.json(state.current);
  });
  app.delete('/admin/behaviour', (c) => {
    state.current = { ...state.initial };
    log.info('behaviour reset', { ...state.current });
    return c.json(state.current);
  });

  app.get('/health', (c) => c.json({ status: 'ok', instance }));
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  return app;
}
