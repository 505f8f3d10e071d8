import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The Prometheus registry of one replica. Everything is registered once at start; the request path only
 * increments and observes. `instance` is a constant label so a scrape of any replica says which one answered.
 */
export function createMetrics(instance: string, pool: () => PoolStats) {
  const registry = new Registry();
  registry.setDefaultLabels({ instance });
  // Process metrics (CPU, memory, fds) and nodejs_eventloop_lag_* come with the defaults.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to handing its response to the server, by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const cacheOps = new Counter({
    name: 'cache_requests_total',
    help: 'User cache lookups by outcome: hit, miss (loaded from Postgres) or bypass (Redis unavailable)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const dbQueries = new Counter({
    name: 'db_queries_total',
    help: 'Postgres queries sent, by prepared statement',
    labelNames: ['query'] as const,
    registers: [registry],
  });
  const poolGauge = (name: string, help: string, read: (s: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(pool()));
      },
    });
  poolGauge('pg_pool_connections_total', 'Connections the Postgres pool holds', (s) => s.totalCount);
  poolGauge('pg_pool_connections_idle', 'Idle connections in the Postgres pool', (s) => s.idleCount);
  poolGauge('pg_pool_waiting_requests', 'Queries waiting for a pool connection', (s) => s.waitingCount);

  // Children are cached per label set so the hot path skips prom-client's label hashing.
  const cacheChildren = {
    hit: cacheOps.labels('hit'),
    miss: cacheOps.labels('miss'),
    bypass: cacheOps.labels('bypass'),
  };
  const cacheCounts = { hit: 0, miss: 0, bypass: 0 };

  return {
    registry,
    observeRequest(method: string, route: string, status: number, seconds: number) {
      const s = String(status);
      httpRequests.labels(method, route, s).inc();
      httpDuration.labels(method, route, s).observe(seconds);
    },
    cache(outcome: CacheOutcome, n = 1) {
      cacheCounts[outcome] += n;
      cacheChildren[outcome].inc(n);
    },
    cacheCounts: (): Readonly<Record<CacheOutcome, number>> => ({ ...cacheCounts }),
    query(name: string) {
      dbQueries.labels(name).inc();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
