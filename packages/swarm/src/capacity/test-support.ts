import type { LoadSecond, LoadSeries } from './load-series';

export const T0 = 1_700_000_000;

/**
 * A synthetic breakpoint ramp of `seconds` seconds: offered 100 + 20 i req/s at second i, all of it achieved, no
 * failures, p95 20 ms; `shape(i, second)` changes whatever a test needs.
 */
export function ramp(
  seconds: number,
  shape: (i: number, p: LoadSecond) => Partial<LoadSecond> = () => ({}),
  percentile = 95,
): LoadSeries {
  return {
    percentile,
    points: Array.from({ length: seconds }, (_, i) => {
      const offered = 100 + 20 * i;
      const p: LoadSecond = {
        t: T0 + i,
        offeredRps: offered,
        achievedRps: offered,
        latencyMs: 20,
        failures: 0,
        dropped: 0,
      };
      return { ...p, ...shape(i, p) };
    }),
  };
}

/** p95 stays at 20 ms up to 900 req/s offered, then grows by 2 ms per req/s: 260 ms at 1020 req/s (second 46). */
export function hockeyStick(_i: number, p: LoadSecond): Partial<LoadSecond> {
  const r = p.offeredRps!;
  return { latencyMs: r < 900 ? 20 : 20 + (r - 900) * 2 };
}
