import { createRedis } from './cache/redis';
import { createUserCache } from './cache/user-cache';
import { createPool, createProbePool } from './db/pool';
import type { Env } from './env';
import { createEventQueue } from './events/queue';
import { createProtection } from './lab/protection';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { prepareUserQueries } from './users/queries';
import { createUserStore } from './users/store';

/**
 * Everything a replica holds for its lifetime, made once at start: the pool, Redis, prepared queries, the cache,
 * metrics. Handlers receive these; nothing is created per request.
 */
export function createDeps(env: Env, log: Logger = createLogger(env.LOG_LEVEL, env.INSTANCE_ID)) {
  // The metrics read the pool's counts only when scraped, and the pool tells them how long each checkout waited.
  const metrics = createMetrics(env.INSTANCE_ID, () => pool);
  const pool = createPool(env, metrics.poolAcquire);
  const probePool = createProbePool(env);
  const redis = createRedis(env, log);
  const cache = createUserCache(redis, {
    ttlS: env.CACHE_TTL_S,
    settleMs: env.CACHE_SETTLE_MS,
    log,
    timing: metrics.redisCommands,
  });
  // A write's transaction waits for one Redis command (the cache lock) between its statements.
  const writeIdleMs = env.REDIS_COMMAND_TIMEOUT_MS + 500;
  const store = createUserStore(prepareUserQueries(pool), cache, metrics, pool, writeIdleMs);
  // Load shedding, the memory guard and the downstream client (lab/): each off unless its setting turns it on.
  const protection = createProtection(env, metrics.registry);
  // The ingest path's queue (events/): the same Redis connection, so it fails fast and times out like the cache.
  const events = createEventQueue(redis, {
    stream: env.INGEST_STREAM,
    group: env.INGEST_GROUP,
    backlogLimit: env.INGEST_BACKLOG_LIMIT,
    registry: metrics.registry,
  });
  let draining = false;
  return {
    env,
    log,
    pool,
    probePool,
    redis,
    metrics,
    cache,
    store,
    protection,
    events,
    startedAt: performance.now(),
    draining: () => draining,
    /** Marks the replica as shutting down: /ready answers 503 and responses ask clients to close. */
    drain() {
      draining = true;
    },
    async close() {
      protection.stop();
      cache.close();
      await Promise.allSettled([pool.end(), probePool.end(), redis.quit().catch(() => redis.disconnect())]);
    },
  };
}

export type Deps = ReturnType<typeof createDeps>;
