import { collectDefaultMetrics, Registry } from 'prom-client';
import { decodeHistogram } from '../stats/histogram';
import type { EntrySummary, Summary } from '../stats/summary-types';

/** Latency buckets (seconds): 1 ms to 30 s, the timeout's default, so a slow endpoint still lands in one. */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Where the live numbers come from: the run's summary so far, or null between runs. */
export interface MetricsSource {
  summary(): Summary | null;
  /** Users running now, when this process runs them; default the summary's last second. */
  users?(): number | null;
  /** Running users per class name, when the process knows them (a closed run in this process). */
  usersByClass?(): Record<string, number> | null;
}

type Labels = Record<string, string | number>;
interface Value {
  value: number;
  labels?: Labels;
  metricName?: string;
}

/** Counts at or under each bucket's bound, from an encoded HdrHistogram of microseconds. */
export function bucketCounts(
  encoded: string,
  boundsS: readonly number[],
): { counts: number[]; total: number } {
  const h = decodeHistogram(encoded) as unknown as {
    countsArrayLength: number;
    getCountAtIndex(i: number): number;
    valueFromIndex(i: number): number;
    totalCount: number;
  };
  const bounds = boundsS.map((b) => b * 1e6);
  const counts = bounds.map(() => 0);
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c === 0) continue;
    const us = h.valueFromIndex(i);
    for (let k = 0; k < bounds.length; k++) if (us <= bounds[k]!) counts[k]! += c;
  }
  return { counts, total: h.totalCount };
}

function histogramValues(name: string, endpoints: readonly EntrySummary[]): Value[] {
  const out: Value[] = [];
  for (const e of endpoints) {
    const labels = { method: e.method, name: e.name };
    const { counts, total } = bucketCounts(e.hist, LATENCY_BUCKETS_S);
    LATENCY_BUCKETS_S.forEach((le, k) => {
      out.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: counts[k]! });
    });
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: total });
    out.push({ metricName: `${name}_sum`, labels, value: e.sumUs / 1e6 });
    out.push({ metricName: `${name}_count`, labels, value: total });
  }
  return out;
}

/**
 * The load generator's own metrics in Prometheus' text format, read from the run's live summary at each scrape
 * (so the request path pays nothing for them, and a `--processes` parent exposes its workers' merged summary):
 *
 * - `swarm_users` (and `swarm_users_by_class{class}` where this process knows the classes' counts)
 * - `swarm_requests_total`, `swarm_request_failures_total`, `swarm_request_duration_seconds` (histogram) by
 *   `method` and `name` (the row: a URL template or the request's name, so the label set stays small)
 * - `swarm_iterations_total`, `swarm_dropped_iterations_total` (open model)
 * - `swarm_cpu_cores` and `swarm_eventloop_lag_p99_seconds`: the engine's last complete second (the busiest
 *   worker's after a merge), named as `attributeSaturation`'s generator rules expect
 * - prom-client's process and Node.js defaults for this process (`process_cpu_seconds_total`, ...).
 *
 * Counters restart at a new run or a statistics reset; Prometheus' `rate()` takes that as a counter reset.
 *
 * @example
 * const metrics = createSwarmMetrics({ summary: () => control.snapshot() });
 * res.end(await metrics.text());
 */
export function createSwarmMetrics(source: MetricsSource): { contentType: string; text(): Promise<string> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let current: Summary | null = null;
  const metric = (
    name: string,
    help: string,
    type: 'gauge' | 'counter' | 'histogram',
    values: () => Value[],
  ) => {
    const m = {
      name,
      help,
      type,
      get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
      reset() {},
    };
    registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
  };
  const lastSecond = () => current?.timeSeries.at(-1);
  const completeSecond = () => {
    const ts = current?.timeSeries ?? [];
    return ts.findLast((p) => p.engineCpuPercent !== undefined || p.eventLoopLagMs !== undefined);
  };
  const perRow = (pick: (e: EntrySummary) => number) => () =>
    (current?.endpoints ?? []).map((e) => ({ labels: { method: e.method, name: e.name }, value: pick(e) }));
  const one = (pick: (s: Summary) => number | undefined) => () => {
    const v = current === null ? undefined : pick(current);
    return v === undefined ? [] : [{ value: v }];
  };

  metric(
    'swarm_users',
    'Users running now',
    'gauge',
    one(() => source.users?.() ?? lastSecond()?.users ?? 0),
  );
  metric('swarm_users_by_class', 'Users running now, by user class', 'gauge', () =>
    Object.entries(source.usersByClass?.() ?? {}).map(([c, n]) => ({ labels: { class: c }, value: n })),
  );
  metric(
    'swarm_requests_total',
    'Requests answered (or failed), by method and row name',
    'counter',
    perRow((e) => e.requests),
  );
  metric(
    'swarm_request_failures_total',
    'Failed requests, by method and row name',
    'counter',
    perRow((e) => e.failures),
  );
  metric(
    'swarm_request_duration_seconds',
    'Response time, send to last body byte (open model: from the intended start), by method and row name',
    'histogram',
    () => histogramValues('swarm_request_duration_seconds', current?.endpoints ?? []),
  );
  metric(
    'swarm_iterations_total',
    'Open model: iterations started',
    'counter',
    one((s) => s.iterations),
  );
  metric(
    'swarm_dropped_iterations_total',
    'Open model: iterations dropped, not started within --max-delay',
    'counter',
    one((s) => s.dropped),
  );
  metric('swarm_cpu_cores', "The engine's CPU over its last complete second, in cores", 'gauge', () => {
    const v = completeSecond()?.engineCpuPercent;
    return v === undefined ? [] : [{ value: v / 100 }];
  });
  metric(
    'swarm_eventloop_lag_p99_seconds',
    "The engine's event-loop lag p99 over its last complete second",
    'gauge',
    () => {
      const v = completeSecond()?.eventLoopLagMs;
      return v === undefined ? [] : [{ value: v / 1000 }];
    },
  );

  return {
    contentType: registry.contentType,
    async text() {
      current = source.summary();
      try {
        return await registry.metrics();
      } finally {
        current = null;
      }
    },
  };
}
