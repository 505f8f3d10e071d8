/**
 * Counts per wall-clock second over the last `size` seconds, for the "current" req/s and failures/s that Locust
 * shows. A ring of fixed size: no allocation per event. It has one slot more than the window, so the second being
 * filled never overwrites the oldest complete one (with `size` slots, a run past 10 s showed 45/s for 50/s).
 *
 * @example
 * const w = new RateWindow(10);
 * w.add(100); w.add(101); w.add(101); w.add(102);
 * w.rate(102, 100); // the complete seconds 100 and 101: 3 events / 2 s = 1.5 (102 is still filling)
 */
export class RateWindow {
  private readonly counts: Float64Array;
  private readonly seconds: Float64Array;

  constructor(readonly size = 10) {
    this.counts = new Float64Array(size + 1);
    this.seconds = new Float64Array(size + 1).fill(-1);
  }

  /** Adds `n` events in epoch second `sec`. */
  add(sec: number, n = 1): void {
    const i = sec % this.counts.length;
    if (this.seconds[i] !== sec) {
      this.seconds[i] = sec;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  /**
   * Events per second over the last `size` seconds that end at `endS` (epoch seconds), counted from `startS`
   * at the earliest. A live view passes a whole `endS` (the start of the second still filling, which it leaves
   * out); the end of a run passes its exact end, so its last, partial second counts for the time it lasted. The
   * run's first second counts only from `startS` too: a run that started at x.7 s has 0.3 s in it, and dividing
   * its events by a whole second diluted the rate at the start.
   */
  rate(endS: number, startS: number): number {
    const last = Math.ceil(endS) - 1;
    const from = Math.max(last + 1 - this.size, startS);
    const span = endS - from;
    if (span <= 0) return 0;
    const first = Math.floor(from);
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const s = this.seconds[i]!;
      if (s >= first && s <= last) sum += this.counts[i]!;
    }
    return sum / span;
  }
}
