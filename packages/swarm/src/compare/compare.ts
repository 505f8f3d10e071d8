import type { EntrySummary, Summary } from '../stats/summary-types';

/** How much worse a run may get before a change counts as a regression. */
export interface CompareOptions {
  /** Relative tolerance for latency up and req/s down, as a fraction; default 0.10 (10%). */
  tolerance?: number;
  /** Absolute tolerance for the failure rate going up, as a fraction; default 0.01 (one percentage point). */
  failureTolerance?: number;
  /**
   * Latency changes smaller than this (ms) never count, whatever the ratio: sub-millisecond answers swing by
   * 50% from one run to the next and are noise, not a regression. Default 1.
   */
  latencyFloorMs?: number;
}

export const COMPARE_DEFAULTS: Required<CompareOptions> = {
  tolerance: 0.1,
  failureTolerance: 0.01,
  latencyFloorMs: 1,
};

/** One metric on both sides. `null` where that side has no data (no such endpoint, or no requests). */
export interface MetricDelta {
  base: number | null;
  current: number | null;
  /** Relative change (current − base) / base; absolute for the failure rate; null when it has no meaning. */
  change: number | null;
  regressed: boolean;
}

export type MetricName = 'p50' | 'p95' | 'rps' | 'failRate';

/** The metrics compared, in display order, with the label used in reports. */
export const METRICS: ReadonlyArray<{ key: MetricName; label: string }> = [
  { key: 'p50', label: 'p50' },
  { key: 'p95', label: 'p95' },
  { key: 'rps', label: 'req/s' },
  { key: 'failRate', label: 'failure rate' },
];

export interface EntryComparison {
  method: string;
  name: string;
  /** `added`: only in the new run; `removed`: only in the baseline. Neither is a regression. */
  status: 'both' | 'added' | 'removed';
  metrics: Record<MetricName, MetricDelta>;
  /** Labels of the regressed metrics, e.g. `['p95', 'req/s']`. */
  regressions: string[];
}

export interface Comparison {
  options: Required<CompareOptions>;
  /** Epoch ms at which the baseline run started, to say which run it was. */
  baseStartedAt: number;
  total: EntryComparison;
  /** Every endpoint of either run, in the new run's order, then the removed ones. */
  endpoints: EntryComparison[];
  /** Regressed metrics counted over the endpoints and the totals. */
  regressionCount: number;
}

const failRate = (e: EntrySummary): number | null => (e.requests === 0 ? null : e.failures / e.requests);
// A side without requests has no latency; 0 ms there would read as an improvement.
const latency = (e: EntrySummary, p: '50' | '95'): number | null =>
  e.requests === 0 ? null : (e.percentiles[p] ?? null);

function relative(base: number, current: number): number | null {
  if (base === 0) return current === 0 ? 0 : null;
  return (current - base) / base;
}

function latencyDelta(base: number | null, current: number | null, o: Required<CompareOptions>): MetricDelta {
  if (base === null || current === null) return { base, current, change: null, regressed: false };
  const change = relative(base, current);
  // From a zero baseline any rise is "infinitely" slower: the floor alone decides.
  const beyond = change === null ? true : change > o.tolerance;
  return { base, current, change, regressed: beyond && current - base > o.latencyFloorMs };
}

function rpsDelta(base: number | null, current: number | null, o: Required<CompareOptions>): MetricDelta {
  if (base === null || current === null) return { base, current, change: null, regressed: false };
  const change = relative(base, current);
  return { base, current, change, regressed: change !== null && change < -o.tolerance };
}

function failDelta(base: number | null, current: number | null, o: Required<CompareOptions>): MetricDelta {
  if (base === null || current === null) return { base, current, change: null, regressed: false };
  const change = current - base;
  return { base, current, change, regressed: change > o.failureTolerance };
}

function compareEntry(
  base: EntrySummary | undefined,
  current: EntrySummary | undefined,
  o: Required<CompareOptions>,
): EntryComparison {
  const any = (current ?? base)!;
  const pick = <T>(e: EntrySummary | undefined, f: (e: EntrySummary) => T | null): T | null =>
    e === undefined ? null : f(e);
  const metrics: Record<MetricName, MetricDelta> = {
    p50: latencyDelta(
      pick(base, (e) => latency(e, '50')),
      pick(current, (e) => latency(e, '50')),
      o,
    ),
    p95: latencyDelta(
      pick(base, (e) => latency(e, '95')),
      pick(current, (e) => latency(e, '95')),
      o,
    ),
    rps: rpsDelta(
      pick(base, (e) => e.rps),
      pick(current, (e) => e.rps),
      o,
    ),
    failRate: failDelta(pick(base, failRate), pick(current, failRate), o),
  };
  return {
    method: any.method,
    name: any.name,
    status: base === undefined ? 'added' : current === undefined ? 'removed' : 'both',
    metrics,
    regressions: METRICS.filter((m) => metrics[m.key].regressed).map((m) => m.label),
  };
}

const keyOf = (e: EntrySummary) => `${e.method}\u0000${e.name}`;

/**
 * Compares a run with a baseline (pure): per endpoint, matched by (method, name), and for the totals, the deltas
 * of p50, p95, req/s and failure rate, each flagged when it is worse beyond the tolerance — latency up by more
 * than `tolerance` (default 10%) and by more than `latencyFloorMs` (default 1 ms), req/s down by more than
 * `tolerance`, failure rate up by more than `failureTolerance` (default 0.01, absolute). Endpoints found on one
 * side only are listed as added or removed, never as regressions.
 *
 * @example
 * const c = compareSummaries(baseline, summary, { tolerance: 0.2 });
 * if (c.regressionCount > 0) process.exitCode = 1;
 */
export function compareSummaries(base: Summary, current: Summary, options: CompareOptions = {}): Comparison {
  const o = { ...COMPARE_DEFAULTS, ...options };
  const baseByKey = new Map(base.endpoints.map((e) => [keyOf(e), e]));
  const currentKeys = new Set(current.endpoints.map(keyOf));
  const endpoints = [
    ...current.endpoints.map((e) => compareEntry(baseByKey.get(keyOf(e)), e, o)),
    ...base.endpoints.filter((e) => !currentKeys.has(keyOf(e))).map((e) => compareEntry(e, undefined, o)),
  ];
  const total = compareEntry(base.total, current.total, o);
  const regressionCount = [...endpoints, total].reduce((n, e) => n + e.regressions.length, 0);
  return { options: o, baseStartedAt: base.startedAt, total, endpoints, regressionCount };
}
