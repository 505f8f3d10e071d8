import { Hono } from 'hono';
import { describeRedisError } from '../cache/redis';
import { describePostgresError } from '../db/pool';
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
        timer = setTimeout(() => reject(new TimedOut()), ms);
      }),
    ]);
    return Math.round((performance.now() - start) * 100) / 100;
  } finally {
    clearTimeout(timer);
  }
}

class TimedOut extends Error {}

type Check = { ok: true; ms: number } | { ok: false; reason: string };

/** Liveness, readiness, an overview of this replica, and its Prometheus metrics. */
export function systemRoutes(deps: Deps) {
  const { env, pool, probePool, cache, store, metrics } = deps;
  const uptimeS = () => Math.round((performance.now() - deps.startedAt) / 100) / 10;
  const app = new Hono();

  async function probe(
    part: string,
    check: () => Promise<unknown>,
    describe: (err: unknown) => string,
  ): Promise<Check> {
    try {
      return { ok: true, ms: await timed(check, env.READY_TIMEOUT_MS) };
    } catch (err) {
      const reason =
        err instanceof TimedOut ? `${part} did not answer within ${env.READY_TIMEOUT_MS} ms` : describe(err);
      return { ok: false, reason };
    }
  }

  // Liveness only: answers while the process can run JavaScript, touching no dependency.
  app.get('/health', (c) => c.json({ status: 'ok', instance: env.INSTANCE_ID, uptimeS: uptimeS() }));

  // Readiness: Postgres answers (on a connection of its own, so a busy pool is not mistaken for a dead database)
  // and Redis takes writes (a write's cache lock needs that). Reasons are the API's words, never driver text.
  app.get('/ready', async (c) => {
    if (deps.draining()) throw new HttpError(503, 'SHUTTING_DOWN', `${env.INSTANCE_ID} is shutting down`);
    const [postgres, redis] = await Promise.all([
      probe('Postgres', () => probePool.query('SELECT 1'), describePostgresError),
      probe('Redis', () => cache.settle(), describeRedisError),
    ]);
    const busy = pool.totalCount - pool.idleCount;
    const poolState = {
      max: env.PG_POOL_MAX,
      busy,
      waiting: pool.waitingCount,
      full: busy >= env.PG_POOL_MAX,
    };
    const checks = { postgres, redis, pool: poolState, cacheSettled: cache.settled() };
    const failing = (
      [
        ['postgres', postgres],
        ['redis', redis],
      ] as const
    ).filter(([, check]) => !check.ok);
    if (failing.length > 0) {
      const down = failing.map(([part]) => part);
      const reasons = failing.map(([, check]) => (check.ok ? '' : check.reason));
      throw new HttpError(503, 'NOT_READY', `not ready: ${reasons.join('; ')}`, { down, checks }, 1);
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
        settled: cache.settled(),
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
