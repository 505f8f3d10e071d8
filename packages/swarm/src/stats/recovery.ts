import { decodeHistogram, percentileMs, rangeOf } from './histogram';
import type { Annotation, RecoveryEndpoint, RecoveryEntry, Summary, TimePoint } from './summary-types';

/** How recovery is judged; every field has the default the docs give. */
export interface RecoveryOptions {
  /** Seconds before a fault whose p95 is its baseline (what there is of them). Default 60. */
  baselineS?: number;
  /** Healthy p95 is at most this many times the baseline's. Default 1.5. */
  p95Factor?: number;
  /** Seconds in a row a healthy state must hold to count as recovered. Default 10. */
  holdS?: number;
  /**
   * A second's p95 is taken from at least `p95MinAnswers` (100) answers: the second alone when it has them, else
   * it and the seconds before it (since the recovery began), up to `p95WindowS` (5) seconds in all — one second
   * of a run at tens of requests a second is too few answers for a steady p95, and the hold would break on one
   * slow request, while a run with enough answers is judged second by second.
   */
  p95WindowS?: number;
  p95MinAnswers?: number;
}

/** The annotation kind that marks a fault. */
export const FAULT_KIND = 'fault';

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The p95 over some seconds (of the totals or of one row), from their merged histograms, bounded by their exact
 * min and max when every second has them (null without requests).
 */
export function p95Of(
  points: ReadonlyArray<{ hist: string; minMs?: number; maxMs?: number; requests: number }>,
): number | null {
  const answered = points.filter((p) => p.requests > 0);
  if (answered.length === 0) return null;
  const h = decodeHistogram(answered[0]!.hist);
  for (const p of answered.slice(1)) h.add(decodeHistogram(p.hist));
  const ranges = answered.map(rangeOf);
  const range = ranges.every((r) => r !== null)
    ? { minMs: Math.min(...ranges.map((r) => r!.minMs)), maxMs: Math.max(...ranges.map((r) => r!.maxMs)) }
    : null;
  return percentileMs(h, 95, range);
}

/** The seconds that overlap [fromMs, toMs); an empty span (an instant) gives the second it falls in. */
function secondsOf(points: readonly TimePoint[], fromMs: number, toMs: number): TimePoint[] {
  if (toMs <= fromMs) return points.filter((p) => p.t === Math.floor(fromMs / 1000));
  return points.filter((p) => p.t * 1000 < toMs && (p.t + 1) * 1000 > fromMs);
}

function rowsOf(points: readonly TimePoint[]): RecoveryEndpoint[] {
  const rows = new Map<string, RecoveryEndpoint>();
  for (const p of points) {
    for (const [key, e] of Object.entries(p.endpoints ?? {})) {
      let r = rows.get(key);
      if (r === undefined) {
        const space = key.indexOf(' ');
        r = {
          method: key.slice(0, space),
          name: key.slice(space + 1),
          requests: 0,
          failures: 0,
          statuses: {},
        };
        rows.set(key, r);
      }
      r.requests += e.requests;
      r.failures += e.failures;
      for (const [status, n] of Object.entries(e.statuses))
        r.statuses[status] = (r.statuses[status] ?? 0) + n;
    }
  }
  return [...rows.values()].sort((a, b) =>
    a.name === b.name ? a.method.localeCompare(b.method) : a.name < b.name ? -1 : 1,
  );
}

/**
 * Recovery per fault window (pure), from the per-second series and the annotations of kind `fault`, in order of
 * their start. For each: the requests and failures within the window (an instant: its second), the time from its
 * start to the first failure, and the **time to recover**: from the window's end (an instant, or a window marked
 * `recoverFrom: 'start'` such as a kill whose part is started later: its `at`) to the first second of `holdS` (10)
 * seconds in a row that each answered requests, without a failure, with a p95 (from at least `p95MinAnswers` (100)
 * answers: the second's own, else with the seconds before it, `p95WindowS` (5) at most) at most `p95Factor` (1.5) × the p95 of the `baselineS` (60) seconds
 * before the fault (what there is of them, leaving out earlier faults until they recovered; without any, only the
 * failures count). A second without
 * answers is not healthy (a frozen target answers nothing). `recoveryS` is null with a `reason` when it never
 * recovered within the run, or when the next fault began before the hold was complete (that fault's recovery then
 * covers both). `faultFailures` and `endpoints` cover the fault's start until it recovered (else the run's end, or
 * the next fault's start). Times are seconds, to the second of the series.
 *
 * @example
 * computeRecovery(summary.timeSeries, summary.annotations); // [{ label: 'app2 killed', recoveryS: 3, ... }]
 */
export function computeRecovery(
  series: readonly TimePoint[],
  annotations: readonly Annotation[],
  options: RecoveryOptions = {},
): RecoveryEntry[] {
  const baselineS = options.baselineS ?? 60;
  const factor = options.p95Factor ?? 1.5;
  const holdS = options.holdS ?? 10;
  const windowS = options.p95WindowS ?? 5;
  const minAnswers = options.p95MinAnswers ?? 100;
  const points = [...series].sort((a, b) => a.t - b.t);
  const bySecond = new Map(points.map((p) => [p.t, p]));
  const lastT = points.at(-1)?.t ?? -1;
  const faults = annotations.filter((a) => a.kind === FAULT_KIND).sort((a, b) => a.at - b.at);
  /** What earlier faults disturbed: [start, recovered) each, left out of later baselines. */
  const disturbed: Array<[number, number]> = [];
  return faults.map((fault, i) => {
    // A kill is over once it happened: the question is how soon the rest routes around it, not what the part's
    // later start does (`recoverFrom: 'start'`).
    const endMs = fault.recoverFrom === 'start' ? fault.at : (fault.end ?? fault.at);
    const fromT = Math.floor(endMs / 1000);
    const next = faults[i + 1];
    const nextAt = next?.at ?? Number.POSITIVE_INFINITY;
    const before = points.filter(
      (p) =>
        p.t * 1000 >= fault.at - baselineS * 1000 &&
        (p.t + 1) * 1000 <= fault.at &&
        !disturbed.some(([from, to]) => p.t * 1000 < to && (p.t + 1) * 1000 > from),
    );
    const baseline = p95Of(before);
    const limit = baseline === null ? null : baseline * factor;
    const rollingP95 = (t: number) => {
      const seconds: TimePoint[] = [];
      let answers = 0;
      for (let u = t; u >= Math.max(fromT, t - windowS + 1) && answers < minAnswers; u--) {
        const p = bySecond.get(u);
        if (p === undefined) continue;
        seconds.push(p);
        answers += p.requests;
      }
      return seconds.length === 1 ? seconds[0]!.p95Ms : (p95Of(seconds) ?? Number.POSITIVE_INFINITY);
    };
    const healthy = (t: number) => {
      const p = bySecond.get(t);
      return (
        p !== undefined && p.requests > 0 && p.failures === 0 && (limit === null || rollingP95(t) <= limit)
      );
    };

    let streak: number | null = null;
    let recoveredAt: number | null = null;
    for (let t = fromT; t <= lastT; t++) {
      if (!healthy(t)) {
        streak = null;
        continue;
      }
      streak ??= t;
      if (t - streak + 1 >= holdS) {
        recoveredAt = Math.max(streak * 1000, endMs);
        break;
      }
    }
    let reason: string | undefined;
    if (recoveredAt !== null && (streak! + holdS) * 1000 > nextAt) {
      recoveredAt = null;
      reason = `interrupted: the next fault (${next!.label}) began before ${holdS} s of health; its recovery covers both`;
    } else if (recoveredAt === null) {
      const what = limit === null ? 'failures' : `failures or p95 above ${round3(limit)} ms`;
      reason =
        endMs / 1000 > lastT
          ? 'the run ended before the fault did'
          : streak !== null && nextAt === Number.POSITIVE_INFINITY
            ? `healthy for only ${lastT - streak + 1} s of the ${holdS} s hold when the run ended`
            : nextAt !== Number.POSITIVE_INFINITY && Math.floor(nextAt / 1000) <= lastT
              ? `interrupted: the next fault (${next!.label}) began before it recovered; its recovery covers both`
              : `never recovered within the run (${what} until its end)`;
    }
    const spanEnd =
      recoveredAt ?? (Number.isFinite(nextAt) ? Math.floor(nextAt / 1000) * 1000 : (lastT + 1) * 1000);
    disturbed.push([fault.at, spanEnd]);
    const span = secondsOf(points, fault.at, Math.max(spanEnd, fault.at + 1));
    const firstFailed = span.find((p) => p.failures > 0);
    const window = secondsOf(points, fault.at, fault.end ?? fault.at);
    const entry: RecoveryEntry = {
      label: fault.label,
      ...(fault.id !== undefined && { id: fault.id }),
      at: fault.at,
      ...(fault.end !== undefined && { end: fault.end }),
      requests: window.reduce((n, p) => n + p.requests, 0),
      failures: window.reduce((n, p) => n + p.failures, 0),
      firstFailureS:
        firstFailed === undefined ? null : round3(Math.max(0, firstFailed.t * 1000 - fault.at) / 1000),
      baselineP95Ms: baseline,
      recoveryS: recoveredAt === null ? null : round3((recoveredAt - endMs) / 1000),
      ...(fault.recoverFrom === 'start' && { recoverFrom: 'start' as const }),
      ...(reason !== undefined && { reason }),
      faultFailures: span.reduce((n, p) => n + p.failures, 0),
      endpoints: rowsOf(span),
    };
    return entry;
  });
}

/**
 * The summary with `recovery` computed from its series and annotations (pure: a new summary).
 *
 * @example
 * const judged = withRecovery(summary); // judged.recovery[0].recoveryS
 */
export function withRecovery(summary: Summary, options?: RecoveryOptions): Summary {
  return { ...summary, recovery: computeRecovery(summary.timeSeries, summary.annotations ?? [], options) };
}
