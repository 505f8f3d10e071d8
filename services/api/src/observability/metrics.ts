import { getHeapStatistics } from 'node:v8';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { RequestSeriesTable } from './request-series';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';
const CACHE_OUTCOMES: readonly CacheOutcome[] = ['hit', 'miss', 'bypass'];

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Seconds buckets from 100 µs to 1 s: a Redis command or a pool checkout, healthy or queued behind load. */
const FAST_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The Prometheus registry of one replica. Everything is registered once at start; the request path only
 * increments and observes. `instance` is a constant label so a scrape of any replica says which one answered.
 *
 * What a person diagnosing load reads here, besides requests and the cache: the process's CPU
 * (process_cpu_seconds_total), event-loop delay (nodejs_eventloop_lag_p50_seconds, _p99_seconds, over the last
 * scrape interval), the heap against its limit (nodejs_heap_size_used_bytes, nodejs_heap_size_limit_bytes), time in
 * GC (nodejs_gc_duration_seconds, by kind), the Postgres pool (connections, idle, waiting, and how long a checkout
 * waits: pg_pool_acquire_seconds) and Redis as this replica sees it (redis_client_command_duration_seconds and
 * redis_client_command_errors_total, by command). `pool` is read only when scraped.
 */
export function createMetrics(instance: string, pool: () => PoolStats) {
  const registry = new Registry();
  registry.setDefaultLabels({ instance });
  // prom-client's defaults: process CPU, memory and fds, nodejs_eventloop_lag_* (p50, p90, p99 ... reset at each
  // scrape), heap used and total, and nodejs_gc_duration_seconds, here with buckets down to 100 µs: a minor GC
  // takes well under the default's first bucket (1 ms).
  collectDefaultMetrics({
    register: registry,
    eventLoopMonitoringPrecision: 10,
    gcDurationBuckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  });
  // The one heap figure the defaults leave out: how far nodejs_heap_size_used_bytes may grow.
  new Gauge({
    name: 'nodejs_heap_size_limit_bytes',
    help: "V8's heap size limit (--max-old-space-size, or V8's default for this machine)",
    registers: [registry],
    collect() {
      this.set(getHeapStatistics().heap_size_limit);
    },
  });

  // Requests are counted here and handed to prom-client when scraped: its inc() builds a label hash string and
  // checks every label name on each call, which on a cached read cost more than the count is worth. A series
  // appears at the first scrape after its first request, with the same value it would have had.
  const requestSeries = new RequestSeriesTable();
  new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
    collect() {
      for (const s of requestSeries.all) {
        if (s.count === s.reported) continue;
        this.inc(s.labels, s.count - s.reported);
        s.reported = s.count;
      }
    },
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to handing its response to the server, by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Counted in cacheCounts (also read by /api/system/overview) and handed over when scraped, like the requests.
  const cacheCounts = { hit: 0, miss: 0, bypass: 0 };
  const cacheReported = { hit: 0, miss: 0, bypass: 0 };
  new Counter({
    name: 'cache_requests_total',
    help: 'User cache lookups by outcome: hit, miss (loaded from Postgres) or bypass (Redis unavailable)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      for (const outcome of CACHE_OUTCOMES) {
        if (cacheCounts[outcome] === cacheReported[outcome]) continue;
        this.inc({ outcome }, cacheCounts[outcome] - cacheReported[outcome]);
        cacheReported[outcome] = cacheCounts[outcome];
      }
    },
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
  const poolAcquire = new Histogram({
    name: 'pg_pool_acquire_seconds',
    help: 'Time a query or transaction waited for a Postgres pool connection (opening a new one included)',
    buckets: [...FAST_BUCKETS, 2.5, 5],
    registers: [registry],
  });
  const poolAcquireErrors = new Counter({
    name: 'pg_pool_acquire_errors_total',
    help: 'Requests for a pool connection that failed: none free within PG_POOL_TIMEOUT_MS, or Postgres refused a new one',
    registers: [registry],
  });
  const redisDuration = new Histogram({
    name: 'redis_client_command_duration_seconds',
    help: 'Time from sending a Redis command (or a pipeline) to its answer, as this replica waited, by command',
    labelNames: ['command'] as const,
    buckets: FAST_BUCKETS,
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: 'redis_client_command_errors_total',
    help: 'Redis commands that failed, by command and reason (timeout, unreachable, oom, readonly, ...)',
    labelNames: ['command', 'reason'] as const,
    registers: [registry],
  });
  // Children by command, made on first use: label hashing once per command, not once per call.
  const redisChildren = new Map<string, ReturnType<typeof redisDuration.labels>>();
  const redisChild = (command: string) => {
    let child = redisChildren.get(command);
    if (!child) {
      child = redisDuration.labels(command);
      redisChildren.set(command, child);
    }
    return child;
  };

  return {
    registry,
    observeRequest(method: string, route: string, status: number, seconds: number) {
      const series = requestSeries.get(method, route, status);
      series.count++;
      httpDuration.observe(series.labels, seconds);
    },
    cache(outcome: CacheOutcome, n = 1) {
      cacheCounts[outcome] += n;
    },
    cacheCounts: (): Readonly<Record<CacheOutcome, number>> => ({ ...cacheCounts }),
    query(name: string) {
      dbQueries.labels(name).inc();
    },
    /** Waits for a pool connection (db/pool.ts). */
    poolAcquire: {
      acquired(seconds: number) {
        poolAcquire.observe(seconds);
      },
      failed() {
        poolAcquireErrors.inc();
      },
    },
    /** Redis commands as the user cache sends them (cache/user-cache.ts). */
    redisCommands: {
      ok(command: string, seconds: number) {
        redisChild(command).observe(seconds);
      },
      failed(command: string, reason: string) {
        redisErrors.labels(command, reason).inc();
      },
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
