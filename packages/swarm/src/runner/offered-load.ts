import type { TimePoint } from '../stats/summary-types';

/**
 * The open model's offer, per epoch second: arrivals scheduled (this segment's share of the rate) and iterations
 * dropped. The arrival runner counts; `annotate` writes both onto the time series' points, so every report and
 * merge sees what was asked of the target beside what it answered (capacity/ reads them: `LoadSecond`).
 * A second is the wall-clock one the arrival was due in, the same clock as the request events.
 *
 * @example
 * const load = new OfferedLoad();
 * load.arrive(Math.floor(Date.now() / 1000), 3);
 * const points = load.annotate(summary.timeSeries);
 */
export class OfferedLoad {
  private readonly offered = new Map<number, number>();
  private readonly dropped = new Map<number, number>();

  /** `n` arrivals due in epoch second `sec`. */
  arrive(sec: number, n: number): void {
    this.offered.set(sec, (this.offered.get(sec) ?? 0) + n);
  }

  /** `n` iterations dropped in epoch second `sec`. */
  drop(sec: number, n: number): void {
    this.dropped.set(sec, (this.dropped.get(sec) ?? 0) + n);
  }

  /** The points with `offered` and `dropped` set (0 for a second without either); the input is left as it is. */
  annotate(points: readonly TimePoint[]): TimePoint[] {
    return points.map((p) => ({
      ...p,
      offered: this.offered.get(p.t) ?? 0,
      dropped: this.dropped.get(p.t) ?? 0,
    }));
  }
}
