import { shouldAbort } from '../capacity/abort';
import { KNEE_DEFAULTS } from '../capacity/knee';
import { type LoadSeries, loadSeriesFromTimeSeries } from '../capacity/load-series';
import type { Slo } from '../capacity/slo';
import type { TimePoint } from '../stats/summary-types';

/** When a run stops for a broken SLO (`RunOptions.abortOn`, the CLI's `--abort-on`). */
export interface AbortOn {
  slo: Slo;
  /** Consecutive broken seconds that stop the run; default 3 (`KNEE_DEFAULTS.breakSeconds`). */
  breakSeconds: number;
}

/** An `AbortOn` with the default `breakSeconds`. */
export function abortOn(slo: Slo, breakSeconds = KNEE_DEFAULTS.breakSeconds): AbortOn {
  return { slo, breakSeconds };
}

/**
 * The time series' seconds as capacity reads them (pure): each second's offered and dropped iterations when the
 * open model recorded them (one iteration counted as one request: the offer is in iterations/s), else unknown.
 */
export function loadSeriesOf(points: readonly TimePoint[], percentile: number): LoadSeries {
  const byT = new Map(points.map((p) => [p.t, p]));
  return loadSeriesFromTimeSeries(points, {
    percentile,
    offeredRps: (t) => byT.get(t)?.offered ?? null,
    dropped: (t) => byT.get(t)?.dropped ?? 0,
  });
}

/**
 * Has the SLO been broken for the last `breakSeconds` complete seconds (pure)? Returns the stop detail ("SLO
 * broken: ...") or null. `recent` is the tail of the closed seconds, the one still filling left out.
 *
 * @example
 * sloBroken(points.slice(-3), abortOn(sloFromThresholds(['p(95)<200']))); // 'SLO broken since ... : latency'
 */
export function sloBroken(recent: readonly TimePoint[], on: AbortOn): string | null {
  const decision = shouldAbort(loadSeriesOf(recent, on.slo.percentile), on.slo, on.breakSeconds);
  if (!decision.abort) return null;
  const since = new Date(decision.since! * 1000).toISOString().slice(11, 19);
  return `SLO broken: ${decision.reasons.join(', ')} over ${on.breakSeconds} s in a row since ${since} UTC`;
}
