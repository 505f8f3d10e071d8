import { decodeHistogram, percentileMs, rangeOf } from '../stats/histogram';
import type { TimePoint } from '../stats/summary-types';

/**
 * One second of a load run, as the capacity functions read it. `offeredRps` and `achievedRps` must be in the same
 * unit (requests per second; an iteration that sends several requests counts as that many).
 */
export interface LoadSecond {
  /** Epoch second; the point covers [t, t + 1). */
  t: number;
  /** The arrival rate the generator was asked for this second; null when unknown (closed model). */
  offeredRps: number | null;
  /** Requests that finished this second. */
  achievedRps: number;
  /** The series' latency percentile this second (ms, corrected for coordinated omission); null without requests. */
  latencyMs: number | null;
  /** Requests of this second that failed. */
  failures: number;
  /** Open model: iterations dropped this second (never started in time); 0 when unknown. */
  dropped: number;
}

/** A run's seconds in time order, with the percentile their `latencyMs` is (95 for p95). */
export interface LoadSeries {
  percentile: number;
  points: LoadSecond[];
}

export interface LoadSeriesOptions {
  /** The latency percentile to carry; default 95. p50 and p95 are read as stored, others from each second's histogram. */
  percentile?: number;
  /** The offered rate of epoch second `t` (requests/s), e.g. from the run's load shape; default unknown (null). */
  offeredRps?: (t: number) => number | null;
  /** Iterations dropped in epoch second `t`; default 0 (the summary keeps only the run's total). */
  dropped?: (t: number) => number;
}

function latencyOf(p: TimePoint, percentile: number): number | null {
  if (p.requests === 0) return null;
  if (percentile === 95) return p.p95Ms;
  if (percentile === 50) return p.p50Ms;
  return percentileMs(decodeHistogram(p.hist), percentile, rangeOf(p));
}

/**
 * Builds a `LoadSeries` from a summary's per-second `timeSeries` (pure). The summary records what was achieved;
 * what was offered and dropped per second comes from the caller (the runner knows its shape and its drops).
 *
 * @example
 * const shape = rateStages([{ duration: '2m', target: 2000 }]);
 * const t0 = summary.timeSeries[0]!.t;
 * loadSeriesFromTimeSeries(summary.timeSeries, {
 *   percentile: 99,
 *   offeredRps: (t) => shape.tick(t - t0 + 0.5)?.rate ?? null, // the rate in the middle of that second
 * });
 */
export function loadSeriesFromTimeSeries(
  points: readonly TimePoint[],
  options: LoadSeriesOptions = {},
): LoadSeries {
  const percentile = options.percentile ?? 95;
  if (!(percentile > 0 && percentile <= 100)) {
    throw new Error(`percentile must be within (0, 100], got ${percentile}`);
  }
  return {
    percentile,
    points: points.map((p) => ({
      t: p.t,
      offeredRps: options.offeredRps?.(p.t) ?? null,
      achievedRps: p.requests,
      latencyMs: latencyOf(p, percentile),
      failures: p.failures,
      dropped: options.dropped?.(p.t) ?? 0,
    })),
  };
}
