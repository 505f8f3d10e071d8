import { Hono } from 'hono';
import type { Deps } from '../deps';
import { HttpError } from '../errors';

/** Resolves with the time `check` took, or rejects once `ms` pass, so a hung dependency cannot hang /ready. */
async function timed(check: () => Promise<unknown>, ms: number): Promise<number> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
    return Math.round((performance.now() - start) * 100) / 100;
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness, an overview of this replica, and its Prometheus metrics. */
export function systemRoutes(deps: Deps) {
  const { env, pool, cache, store, metrics } = deps;
  const uptimeS = () => Math.round((performance.now() - deps.startedAt) / 100) / 10;
  const app = new Hono();

  // Liveness only: answers while the process can run JavaScript, touching no dependency.
  app.get('/health', (c) => c.json({ status: 'ok', instance: env.INSTANCE_ID, uptimeS: uptimeS() }));

  app.get('/ready', async (c) => {
    if (deps.draining()) throw new HttpError(503, 'SHUTTING_DOWN', `${env.INSTANCE_ID} is shutting down`);
    const probe = async (name: string, check: () => Promise<unknown>) => {
      try {
        return { name, ok: true, ms: await timed(check, env.READY_TIMEOUT_MS) };
      } catch (err) {
        return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    };
    const results = await Promise.all([
      probe('postgres', () => pool.query('SELECT 1')),
      probe('redis', () => cache.ping()),
    ]);
    const checks = Object.fromEntries(results.map(({ name, ...rest }) => [name, rest]));
    const down = results.filter((r) => !r.ok).map((r) => r.name);
    if (down.length > 0) {
      throw new HttpError(
        503,
        'NOT_READY',
        `${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} down`,
        {
          down,
          checks,
        },
        1,
      );
    }
    return c.json({ status: 'ready', instance: env.INSTANCE_ID, checks });
  });

  app.get('/api/system/overview', async (c) => {
    const counts = metrics.cacheCounts();
    const lookups = counts.hit + counts.miss;
    return c.json({
      instance: env.INSTANCE_ID,
      uptimeS: uptimeS(),
      users: { count: await store.count() },
      cache: {
        hits: counts.hit,
        misses: counts.miss,
        bypass: counts.bypass,
        hitRatio: lookups === 0 ? null : counts.hit / lookups,
        pendingWrites: cache.pendingWrites(),
        ttlS: env.CACHE_TTL_S,
      },
      pool: {
        max: env.PG_POOL_MAX,
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
      },
    });
  });

  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  return app;
}
