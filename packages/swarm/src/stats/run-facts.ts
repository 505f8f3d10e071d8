import type { LastReport, MissingSegment, StopReason, StopSummary, Summary } from './summary-types';

/**
 * The facts of a run beside its statistics — its id, why it stopped, which segments are missing — and how they
 * merge (pure).
 */

/**
 * Orders stop reasons by how much they explain a merged run: a signal stopped every part; a part that quit or
 * whose users stopped ended early; run time and shape end are the plan. A lost worker explains only its own
 * segment, so it counts only when no part ended otherwise.
 */
const WEIGHT: Record<StopReason, number> = {
  signal: 6,
  stopped: 5,
  quit: 4,
  // A part stopped by a broken SLO ended early for a reason of the target's, like one that quit.
  slo_broken: 4,
  users_stopped: 3,
  shape_end: 2,
  run_time: 1,
  worker_lost: 0,
};

/**
 * The stop cause of a merged run: the weightiest of its parts' (older parts without one are skipped).
 *
 * @example
 * mergeStops([{ reason: 'run_time', detail: 'run time 10s reached' }, { reason: 'signal', detail: 'SIGINT' }]);
 * // { reason: 'signal', detail: 'SIGINT' }
 */
export function mergeStops(stops: ReadonlyArray<StopSummary | undefined>): StopSummary | undefined {
  let best: StopSummary | undefined;
  for (const s of stops) {
    if (s !== undefined && (best === undefined || WEIGHT[s.reason] > WEIGHT[best.reason])) best = s;
  }
  return best;
}

/** The facts a merge carries over: the shared run id, the stop cause, the missing segments of every part. */
export function mergeRunFacts(parts: readonly Summary[]): Pick<Summary, 'runId' | 'stop' | 'partial'> {
  const ids = [...new Set(parts.map((p) => p.runId).filter((id) => id !== undefined))];
  const missing = parts.flatMap((p) => p.partial?.missing ?? []);
  const stop = mergeStops(parts.map((p) => p.stop));
  return {
    ...(ids.length === 1 && { runId: ids[0] }),
    ...(stop && { stop }),
    ...(missing.length > 0 && { partial: { missing } }),
  };
}

/**
 * What a live summary says of a segment, kept when its worker is lost afterwards.
 *
 * @example
 * lastReportOf(progressSummary); // { at, durationS: 12, users: 4, requests: 812, failures: 0, ... }
 */
export function lastReportOf(s: Summary): LastReport {
  return {
    at: s.endedAt,
    durationS: s.durationS,
    users: s.timeSeries.at(-1)?.users ?? 0,
    requests: s.total.requests,
    failures: s.total.failures,
    rps: s.total.rps,
    p95Ms: s.total.percentiles['95'] ?? 0,
    iterations: s.iterations,
    dropped: s.dropped,
  };
}

/** Adds missing segments to a summary (pure: returns a new summary). */
export function withMissing(s: Summary, missing: readonly MissingSegment[]): Summary {
  if (missing.length === 0) return s;
  return { ...s, partial: { missing: [...(s.partial?.missing ?? []), ...missing] } };
}
