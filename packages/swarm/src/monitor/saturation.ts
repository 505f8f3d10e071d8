import type { TimePoint } from '../stats/summary-types';

/** Above these, the generator rather than the target was probably the bottleneck (whole run or one second). */
export const CPU_WARN_PERCENT = 90;
export const LAG_WARN_MS = 50;

/**
 * The one saturation rule (pure), for the whole run's warning and for each second alike: CPU at or above 90% of a
 * core, or event-loop lag at or above 50 ms.
 *
 * @example
 * isSaturated(95, 3); // true
 */
export function isSaturated(cpuPercent: number, lagMs: number): boolean {
  return cpuPercent >= CPU_WARN_PERCENT || lagMs >= LAG_WARN_MS;
}

/** A run of consecutive saturated seconds, in seconds since the first point: [from, to). */
export interface SaturatedWindow {
  from: number;
  to: number;
}

/**
 * The windows where the generator was saturated (pure), from the per-second `engineCpuPercent` and
 * `eventLoopLagMs` of the time series: consecutive saturated seconds join into one window, and a second without
 * engine data (an old summary, the run's last partial second) is never marked. Each point covers [t, t + 1).
 *
 * @example
 * saturatedWindows(points); // [{ from: 12, to: 15 }] — seconds 12, 13 and 14 after the start
 */
export function saturatedWindows(points: readonly TimePoint[]): SaturatedWindow[] {
  const t0 = points[0]?.t ?? 0;
  const windows: SaturatedWindow[] = [];
  for (const p of points) {
    const cpu = p.engineCpuPercent;
    const lag = p.eventLoopLagMs;
    if (cpu === undefined && lag === undefined) continue;
    if (!isSaturated(cpu ?? 0, lag ?? 0)) continue;
    const from = p.t - t0;
    const last = windows.at(-1);
    if (last !== undefined && last.to === from) last.to = from + 1;
    else windows.push({ from, to: from + 1 });
  }
  return windows;
}
