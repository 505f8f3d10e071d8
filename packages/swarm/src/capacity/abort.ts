import { KNEE_DEFAULTS, sloForSeries } from './knee';
import type { LoadSeries } from './load-series';
import { type BreachKind, judgeSecond, type SloInput } from './slo';

export interface AbortDecision {
  abort: boolean;
  /** Epoch second the breach run began; null unless `abort`. */
  since: number | null;
  /** Every reason seen over the breach run, in the order first seen; empty unless `abort`. */
  reasons: BreachKind[];
}

/**
 * Should a breakpoint run stop now (pure)? Yes once its last `breakSeconds` seconds (default 3, as `findKnee`) all
 * broke the SLO. The runner calls it once a second with the complete seconds so far (not the one still filling);
 * only the tail is read, so the cost stays flat however long the run.
 *
 * @example
 * if (shouldAbort(seriesSoFar, slo).abort) runner.quit();
 */
export function shouldAbort(
  series: LoadSeries,
  sloInput: SloInput,
  breakSeconds: number = KNEE_DEFAULTS.breakSeconds,
): AbortDecision {
  const slo = sloForSeries(series, sloInput);
  if (!(Number.isInteger(breakSeconds) && breakSeconds >= 1)) {
    throw new Error(`breakSeconds must be a whole number ≥ 1, got ${breakSeconds}`);
  }
  const tail = series.points.slice(-breakSeconds);
  const no: AbortDecision = { abort: false, since: null, reasons: [] };
  if (tail.length < breakSeconds) return no;
  const reasons: BreachKind[] = [];
  for (const p of tail) {
    const v = judgeSecond(p, slo);
    if (v.status !== 'breach') return no;
    for (const b of v.breaches) if (!reasons.includes(b.kind)) reasons.push(b.kind);
  }
  return { abort: true, since: tail[0]!.t, reasons };
}
