/**
 * Counts per wall-clock second over the last `size` seconds, for the "current" req/s and failures/s that
 * Locust shows. A ring of fixed size: no allocation per event.
 *
 * @example
 * const w = new RateWindow(10);
 * w.add(100); w.add(100); w.add(101);
 * w.rate(102, 100); // (2 + 1) / 2 seconds = 1.5
 */
export class RateWindow {
  private readonly counts: Float64Array;
  private readonly seconds: Float64Array;

  constructor(readonly size = 10) {
    this.counts = new Float64Array(size);
    this.seconds = new Float64Array(size).fill(-1);
  }

  /** Adds `n` events in epoch second `sec`. */
  add(sec: number, n = 1): void {
    const i = sec % this.size;
    if (this.seconds[i] !== sec) {
      this.seconds[i] = sec;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  /**
   * Events per second over the completed seconds before `nowSec` (at most `size` of them, and none before
   * `startSec`, so the rate is not diluted at the start of a run).
   */
  rate(nowSec: number, startSec: number): number {
    const from = Math.max(nowSec - this.size, startSec);
    const span = nowSec - from;
    if (span <= 0) return 0;
    let sum = 0;
    for (let i = 0; i < this.size; i++) {
      const s = this.seconds[i]!;
      if (s >= from && s < nowSec) sum += this.counts[i]!;
    }
    return sum / span;
  }
}
