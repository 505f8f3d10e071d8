import { Hono } from 'hono';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { Consumer } from './consumer';

export interface HttpOptions {
  worker: string;
  consumer: Consumer;
  redis: Redis;
  pool: pg.Pool;
  registry: Registry;
  readyTimeoutMs: number;
  startedAt: number;
  stopping: () => boolean;
}

async function within(ms: number, check: () => Promise<unknown>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The worker's own HTTP face: `/health` (liveness: the process runs; its counts and the last reading of the
 * group), `/ready` (Redis and Postgres answer within READY_TIMEOUT_MS; 503 otherwise or while stopping) and
 * `/metrics` (Prometheus text).
 */
export function workerHttp(o: HttpOptions) {
  const app = new Hono();
  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      worker: o.worker,
      ...o.consumer.stats(),
      group: o.consumer.reading() ?? null,
      stopping: o.stopping(),
      uptimeS: Math.round((performance.now() - o.startedAt) / 100) / 10,
    }),
  );
  app.get('/ready', async (c) => {
    const [redis, postgres] = await Promise.all([
      within(o.readyTimeoutMs, () => o.redis.ping()),
      within(o.readyTimeoutMs, () => o.pool.query('SELECT 1')),
    ]);
    const checks = { redis: redis ?? 'ok', postgres: postgres ?? 'ok' };
    if (o.stopping()) {
      return c.json(
        { error: { code: 'SHUTTING_DOWN', message: `${o.worker} is stopping`, details: checks } },
        503,
      );
    }
    if (redis || postgres) {
      const down = Object.entries(checks).filter(([, v]) => v !== 'ok');
      const message = `not ready: ${down.map(([k, v]) => `${k}: ${v}`).join('; ')}`;
      return c.json({ error: { code: 'NOT_READY', message, details: checks } }, 503);
    }
    return c.json({ status: 'ready', worker: o.worker, checks });
  });
  // The group's gauges are read afresh for each scrape, so they say what the stream holds now.
  app.get('/metrics', async (c) => {
    await o.consumer.refresh();
    return c.body(await o.registry.metrics(), 200, { 'Content-Type': o.registry.contentType });
  });
  app.notFound((c) =>
    c.json(
      { error: { code: 'ROUTE_NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );
  return app;
}
