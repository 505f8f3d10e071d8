import type { Registry } from 'prom-client';
import type { Env } from '../env';
import { createDownstreamClient, type DownstreamClient } from './downstream-client';
import { type LagMonitor, startLagMonitor } from './lag-monitor';
import { createMemoryGuard, guardLimitBytes, type MemoryGuard } from './memory-guard';
import { createProtectionMetrics, type ProtectionMetrics } from './metrics';

export interface Protection {
  /** Sampling the event loop, when SHED_LAG_MS > 0 (app.ts then mounts the shedding middleware). */
  lag?: LagMonitor;
  /** The shedding middleware's running cost per route (`GET /api/lab/cpu` → ms), served as a metric. */
  routeCosts: Map<string, number>;
  guard: MemoryGuard;
  /** The downstream client, when DOWNSTREAM_URL is set. */
  downstream?: DownstreamClient;
  metrics: ProtectionMetrics;
  /** Lab memory held now (bytes). */
  held: { bytes: number };
  stop(): void;
}

/**
 * A replica's protection, made once at start from its settings: the event-loop monitor behind load shedding, the
 * memory guard of the lab allocations, the downstream client with its timeout, breaker and bulkhead, and their
 * metrics on the replica's registry. Each is switched by its own setting, so a lab mode can run with and without.
 */
export function createProtection(env: Env, registry: Registry): Protection {
  const lag = env.SHED_LAG_MS > 0 ? startLagMonitor({ thresholdMs: env.SHED_LAG_MS }) : undefined;
  const guard = createMemoryGuard({
    limitBytes: guardLimitBytes(env.MEMORY_GUARD_MB, env.MEMORY_GUARD_HEAP_FRACTION),
  });
  const held = { bytes: 0 };
  const routeCosts = new Map<string, number>();
  let downstream: DownstreamClient | undefined;
  const metrics = createProtectionMetrics(registry, {
    lag: lag && (() => lag.state),
    routeCosts: lag && (() => routeCosts),
    bulkhead: () => downstream?.readBulkhead?.() ?? { active: 0, queued: 0 },
    heldBytes: () => held.bytes,
    guardLimitBytes: guard.limitBytes,
  });
  if (env.DOWNSTREAM_URL) {
    downstream = createDownstreamClient({
      url: env.DOWNSTREAM_URL,
      protection: env.DOWNSTREAM_PROTECTION === 'on',
      timeoutMs: env.DOWNSTREAM_TIMEOUT_MS,
      breakerFailures: env.DOWNSTREAM_BREAKER_FAILURES,
      halfOpenAfterMs: env.DOWNSTREAM_BREAKER_HALF_OPEN_MS,
      bulkheadLimit: env.DOWNSTREAM_BULKHEAD_LIMIT,
      bulkheadQueue: env.DOWNSTREAM_BULKHEAD_QUEUE,
      onCall: metrics.call,
      onBreaker: metrics.breaker,
    });
  }
  return { lag, routeCosts, guard, downstream, metrics, held, stop: () => lag?.stop() };
}
