import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RouteCost } from './shed';

/** How `downstream_breaker_state` reads: 0 closed, 1 half-open (a trial call), 2 open (calls refused). */
export const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
export type BreakerState = keyof typeof BREAKER_STATE_VALUE;

export type DownstreamOutcome =
  | 'ok'
  | 'failed'
  | 'timeout'
  | 'breaker_open'
  | 'bulkhead_full'
  | 'unreachable';

export interface ProtectionReadings {
  /** The last event-loop lag sample (ms) and whether the replica sheds, when shedding is on. */
  lag?: () => { lagMs: number; overloaded: boolean };
  /** The running event-loop cost of each route (ms, keyed `METHOD /template`), when shedding is on. */
  routeCosts?: () => ReadonlyMap<string, number>;
  /** Calls running and waiting in the downstream bulkhead, when it is on. */
  bulkhead?: () => { active: number; queued: number };
  heldBytes: () => number;
  guardLimitBytes: number;
}

/**
 * The protection's series on the replica's registry (one registry per process): shedding (event-loop lag, the
 * overloaded flag, each route's cost, requests shed), the memory guard (its limit, lab memory held, allocations refused) and the
 * downstream call (breaker state and transitions, calls by outcome with their time, the bulkhead's load). Readings
 * are taken when scraped; the request path only increments.
 */
export function createProtectionMetrics(registry: Registry, read: ProtectionReadings) {
  const registers = [registry];
  const gauge = (name: string, help: string, value: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const v = value();
        if (v !== undefined) this.set(v);
      },
    });
  if (read.lag) {
    const lag = read.lag;
    gauge(
      'eventloop_lag_seconds',
      'How late the last event-loop sample ran (the shedding signal)',
      () => lag().lagMs / 1000,
    );
    gauge(
      'eventloop_overloaded',
      '1 while the replica sheds new work (event-loop lag past SHED_LAG_MS), else 0',
      () => (lag().overloaded ? 1 : 0),
    );
  }
  if (read.routeCosts) {
    const costs = read.routeCosts;
    new Gauge({
      name: 'shed_route_cost_seconds',
      help: 'How long a request of each route holds the event loop before its first wait (a running mean); at or above SHED_COSTLY_MS a route is shed first',
      labelNames: ['method', 'route'] as const,
      registers,
      collect() {
        this.reset();
        for (const [key, ms] of costs()) {
          const space = key.indexOf(' ');
          this.labels(key.slice(0, space), key.slice(space + 1)).set(ms / 1000);
        }
      },
    });
  }
  const shed = new Counter({
    name: 'http_requests_shed_total',
    help: 'Requests answered 503 OVERLOADED without running (load shedding), by the route class shed (costly, cheap)',
    labelNames: ['cost'] as const,
    registers,
  });
  gauge(
    'memory_guard_limit_bytes',
    'The heap the memory guard lets lab allocations reach (0: no guard)',
    () => read.guardLimitBytes,
  );
  gauge('lab_memory_held_bytes', 'Memory the lab endpoint holds now', read.heldBytes);
  const refused = new Counter({
    name: 'lab_memory_refused_total',
    help: 'Lab allocations the memory guard refused (503 MEMORY_GUARD)',
    registers,
  });

  const breakerState = new Gauge({
    name: 'downstream_breaker_state',
    help: 'The downstream circuit breaker: 0 closed, 1 half-open (one trial call), 2 open (calls refused at once)',
    registers,
  });
  breakerState.set(0);
  const transitions = new Counter({
    name: 'downstream_breaker_transitions_total',
    help: 'Circuit breaker transitions, by the state entered',
    labelNames: ['to'] as const,
    registers,
  });
  const calls = new Counter({
    name: 'downstream_calls_total',
    help: 'Downstream calls by outcome: ok, failed (an error answer), timeout, breaker_open, bulkhead_full, unreachable',
    labelNames: ['outcome'] as const,
    registers,
  });
  const callDuration = new Histogram({
    name: 'downstream_call_duration_seconds',
    help: 'Time a downstream call took as the replica waited for it (bulkhead queue included), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  if (read.bulkhead) {
    const bulkhead = read.bulkhead;
    gauge(
      'downstream_bulkhead_active',
      'Downstream calls running inside the bulkhead',
      () => bulkhead().active,
    );
    gauge(
      'downstream_bulkhead_queued',
      'Downstream calls waiting for a bulkhead slot',
      () => bulkhead().queued,
    );
  }
  for (const to of Object.keys(BREAKER_STATE_VALUE)) transitions.labels(to);

  return {
    shed: (cost: RouteCost) => shed.inc({ cost }),
    memoryRefused: () => refused.inc(),
    breaker(to: BreakerState) {
      breakerState.set(BREAKER_STATE_VALUE[to]);
      transitions.labels(to).inc();
    },
    call(outcome: DownstreamOutcome, seconds: number) {
      calls.labels(outcome).inc();
      callDuration.labels(outcome).observe(seconds);
    },
  };
}

export type ProtectionMetrics = ReturnType<typeof createProtectionMetrics>;
