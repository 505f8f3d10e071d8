import { describeEntry, entryFromSummary } from '../stats/entry-summary';
import { decodeHistogram, percentileMs, rangeOf } from '../stats/histogram';
import { p95Of } from '../stats/recovery';
import type { EntrySummary, RecoveryEntry, Summary, ThresholdResult } from '../stats/summary-types';
import type { Metric, Operator, Threshold } from './parse';

/** Largest relative deviation of the per-instance counts from an even share (0 = perfectly even). */
export function instanceSkew(instances: Record<string, number>): number | null {
  const counts = Object.values(instances);
  if (counts.length === 0) return null;
  const total = counts.reduce((s, n) => s + n, 0);
  const even = total / counts.length;
  if (even === 0) return null;
  return Math.max(...counts.map((n) => Math.abs(n - even) / even));
}

/** HIT / (HIT + MISS) over the `X-Cache` values; other values (BYPASS, ...) are not in the ratio. */
export function hitRatio(cache: EntrySummary['cache']): number | null {
  const hit = cache.HIT?.requests ?? 0;
  const miss = cache.MISS?.requests ?? 0;
  return hit + miss === 0 ? null : hit / (hit + miss);
}

/** Median latency of cache HITs over that of MISSes: below 1 when the cache makes reads faster. */
export function cacheP50Ratio(cache: EntrySummary['cache']): number | null {
  const hit = cache.HIT;
  const miss = cache.MISS;
  if (!hit?.requests || !miss?.requests || miss.p50Ms === 0) return null;
  return hit.p50Ms / miss.p50Ms;
}

type EntryMetric = Exclude<
  Metric,
  { seconds: number } | { run: true } | { fault: true } | { kind: 'custom' }
>;

/** The value of a metric on one entry, or null when it has no data. */
export function metricValue(e: EntrySummary, metric: EntryMetric): number | null {
  if (
    metric.kind !== 'count' &&
    metric.kind !== 'instance_skew' &&
    metric.kind !== 'instances' &&
    metric.kind !== 'hit_ratio' &&
    metric.kind !== 'cache_p50_ratio' &&
    e.requests === 0
  ) {
    return null;
  }
  switch (metric.kind) {
    case 'percentile': {
      const key = String(metric.p);
      if (e.percentiles[key] !== undefined) return e.percentiles[key]!;
      // A percentile outside Locust's columns: read it from the histogram.
      return describeAt(e, metric.p);
    }
    case 'avg':
      return e.avgMs;
    case 'min':
      return e.minMs;
    case 'max':
      return e.maxMs;
    case 'med':
      return e.medianMs;
    case 'rate':
      return e.failures / e.requests;
    case 'throttle_rate':
      return e.throttled / e.requests;
    case 'rps':
      return e.rps;
    case 'count':
      return e.requests;
    case 'hit_ratio':
      return hitRatio(e.cache);
    case 'instance_skew':
      return instanceSkew(e.instances);
    case 'instances':
      return Object.keys(e.instances).length;
    case 'cache_p50_ratio':
      return cacheP50Ratio(e.cache);
  }
}

/**
 * Metrics of the per-second series of the totals. `recovery_p95_ratio(S)`: p95 of the last S seconds over p95 of
 * the first S seconds (after a spike, is latency back where it started?). `warm_hit_ratio(S)`: HIT / (HIT + MISS)
 * from second S on, leaving the cache's warm-up out.
 */
export function seriesValue(summary: Summary, metric: Extract<Metric, { seconds: number }>): number | null {
  const points = summary.timeSeries;
  if (points.length === 0) return null;
  const start = points[0]!.t;
  const end = points[points.length - 1]!.t + 1;
  if (metric.kind === 'warm_hit_ratio') {
    let hit = 0;
    let miss = 0;
    for (const p of points) {
      if (p.t < start + metric.seconds) continue;
      hit += p.cache?.HIT ?? 0;
      miss += p.cache?.MISS ?? 0;
    }
    return hit + miss === 0 ? null : hit / (hit + miss);
  }
  const p95Between = (from: number, to: number) => p95Of(points.filter((p) => p.t >= from && p.t < to));
  const first = p95Between(start, start + metric.seconds);
  const last = p95Between(end - metric.seconds, end);
  return first === null || last === null || first === 0 ? null : last / first;
}

/**
 * Metrics of the whole run. The open model's `dropped` (iterations that could not start within `--max-delay`)
 * and `dropped_rate` (their share of the iterations due: started + dropped); null for a run without arrivals
 * (the closed model drops nothing: a threshold on it there has no data).
 */
export function runValue(summary: Summary, metric: Extract<Metric, { run: true }>): number | null {
  const due = summary.iterations + summary.dropped;
  if (due === 0 && summary.config.rate === null) return null;
  if (metric.kind === 'dropped') return summary.dropped;
  return due === 0 ? null : summary.dropped / due;
}

interface Valued {
  actual: number | null;
  message?: string | undefined;
}

/** A custom counter's value; a name nobody declared nor counted fails, saying so. */
export function customValue(summary: Summary, name: string): Valued {
  const metrics = summary.metrics ?? {};
  if (Object.hasOwn(metrics, name)) return { actual: metrics[name]! };
  const known = Object.keys(metrics);
  return {
    actual: null,
    message:
      `no metric named ${name}: not a built-in metric, not declared in options.metrics nor counted by ` +
      `environment.metrics.add or a teardown's metrics${known.length > 0 ? ` (this run has ${known.join(', ')})` : ''}`,
  };
}

/**
 * The fault windows' metrics (`summary.recovery`): `recovery_s` the worst time to recover over the windows (or
 * those labelled `{label}`; a window interrupted by the next fault is measured by that one's, and one that never
 * recovered makes it null); `fault_failures` the failures from each fault's start until it recovered, in total or
 * of one endpoint; `time_to_first_failure` the shortest time from a fault to its first failure (null without
 * failures). Without fault windows there is no data.
 */
export function faultValue(summary: Summary, t: Threshold, m: Extract<Metric, { fault: true }>): Valued {
  const all = summary.recovery ?? [];
  const windows = t.label === undefined ? all : all.filter((r) => r.label === t.label || r.id === t.label);
  if (windows.length === 0) {
    return {
      actual: null,
      message:
        t.label === undefined
          ? 'no fault windows in this run (annotations of kind "fault")'
          : `no fault window labelled ${JSON.stringify(t.label)}`,
    };
  }
  if (m.kind === 'fault_failures') {
    if (t.endpoint === null) return { actual: windows.reduce((n, r) => n + r.faultFailures, 0) };
    const { method, name } = t.endpoint;
    let n = 0;
    for (const r of windows) {
      for (const e of r.endpoints)
        if (e.name === name && (method === null || e.method === method)) n += e.failures;
    }
    return { actual: n };
  }
  if (m.kind === 'fault_p95_ratio') return faultP95Ratio(summary, t, windows);
  if (m.kind === 'time_to_first_failure') {
    const times = windows.map((r) => r.firstFailureS).filter((x): x is number => x !== null);
    return times.length === 0
      ? { actual: null, message: 'no failure in any fault window' }
      : { actual: Math.min(...times) };
  }
  // A window interrupted by the next fault is measured by that fault's recovery, unless it is all there is.
  const measured = windows.filter((r) => !(r.recoveryS === null && r.reason?.startsWith('interrupted')));
  const judged = measured.length > 0 ? measured : windows;
  const never = judged.find((r) => r.recoveryS === null);
  if (never !== undefined)
    return { actual: null, message: `${never.label}: ${never.reason ?? 'not recovered'}` };
  return { actual: Math.max(...judged.map((r) => r.recoveryS!)) };
}

/**
 * `fault_p95_ratio[{[METHOD ]name}]`: the p95 of the seconds within the fault windows (each from its start to its
 * end, an instant its own second) over the p95 of the seconds before the first window — did the endpoints the fault
 * does not concern keep their latency? Of the totals from the time series; of one row from the per-endpoint
 * history, which the CLI keeps whenever a threshold asks for this.
 */
function faultP95Ratio(summary: Summary, t: Threshold, windows: readonly RecoveryEntry[]): Valued {
  let points: ReadonlyArray<{ t: number; hist: string; minMs?: number; maxMs?: number; requests: number }>;
  if (t.endpoint === null) points = summary.timeSeries;
  else {
    if (summary.endpointSeries === undefined)
      return {
        actual: null,
        message: 'no per-endpoint history in this summary (swarm run keeps it for this metric)',
      };
    const { method, name } = t.endpoint;
    points = summary.endpointSeries.filter(
      (p) => p.name === name && (method === null || p.method === method),
    );
  }
  const firstS = Math.floor(Math.min(...windows.map((w) => w.at)) / 1000);
  const inWindow = (s: number) =>
    windows.some((w) => {
      const from = Math.floor(w.at / 1000);
      const to = w.end === undefined ? from : Math.ceil(w.end / 1000) - 1;
      return s >= from && s <= to;
    });
  const before = p95Of(points.filter((p) => p.t < firstS));
  const during = p95Of(points.filter((p) => inWindow(p.t)));
  if (before === null)
    return { actual: null, message: 'no requests before the first fault window (no baseline)' };
  if (during === null) return { actual: null, message: 'no requests within the fault windows' };
  return before === 0 ? { actual: null, message: 'the baseline p95 is 0 ms' } : { actual: during / before };
}

function describeAt(e: EntrySummary, p: number): number {
  return percentileMs(decodeHistogram(e.hist), p, rangeOf(e));
}

function holds(actual: number, op: Operator, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/** The rows a threshold looks at: the totals, one (method, name) row, or every method of a name merged. */
function target(summary: Summary, t: Threshold): EntrySummary | null {
  if (t.endpoint === null) return summary.total;
  const { method, name } = t.endpoint;
  const rows = summary.endpoints.filter((e) => e.name === name && (method === null || e.method === method));
  if (rows.length === 0) return null;
  if (rows.length === 1) return rows[0]!;
  const merged = entryFromSummary(rows[0]!);
  for (const r of rows.slice(1)) merged.merge(entryFromSummary(r));
  return describeEntry(merged, { durationS: summary.durationS, endS: 0, startS: 0 });
}

/**
 * Evaluates thresholds on a summary (pure). A threshold on a metric without data (an endpoint never called, a
 * hit ratio without `X-Cache`) fails, with `actual: null`: a criterion that cannot be checked is not met.
 *
 * @example
 * evaluateThresholds(summary, [parseThreshold('p(95)<500')]); // [{ expression: 'p(95)<500', actual: 212, ok: true }]
 */
export function evaluateThresholds(summary: Summary, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const m = t.metric;
    let actual: number | null;
    let message: string | undefined;
    if ('seconds' in m) actual = seriesValue(summary, m);
    else if ('run' in m) actual = runValue(summary, m);
    else if ('fault' in m) ({ actual, message } = faultValue(summary, t, m));
    else if (m.kind === 'custom') ({ actual, message } = customValue(summary, m.name));
    else {
      const row = target(summary, t);
      actual = row === null ? null : metricValue(row, m);
    }
    return {
      expression: t.expression,
      actual,
      ok: actual !== null && holds(actual, t.op, t.value),
      ...(message !== undefined && { message }),
    };
  });
}

/** Whether a threshold is on a custom counter (judged after teardown, whose `metrics` count too). */
export const isCustomThreshold = (t: Threshold): boolean => t.metric.kind === 'custom';
