import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window';
import { RequestStats } from './request-stats';
import { toSummary } from './summary';
import { requestEvent } from './test-support';

/** Events every 1/rate s from `startS` (epoch seconds, fractional) until `endS`, as the window sees them. */
function steady(w: RateWindow, rate: number, startS: number, endS: number): void {
  for (let k = 0; startS + k / rate < endS; k++) w.add(Math.floor(startS + k / rate + 1e-9));
}

describe('RateWindow', () => {
  it('averages over the completed seconds since the start', () => {
    const w = new RateWindow(10);
    w.add(100, 4);
    w.add(101, 2);
    w.add(102, 9); // the current second is not counted
    expect(w.rate(102, 100)).toBe(3);
  });

  it('forgets seconds older than the window', () => {
    const w = new RateWindow(10);
    w.add(100, 50);
    w.add(115, 10);
    expect(w.rate(116, 90)).toBe(1);
  });

  it('is 0 before a second has completed', () => {
    const w = new RateWindow();
    w.add(5);
    expect(w.rate(5, 5)).toBe(0);
  });

  it('reads a steady 50/s as 50/s at every moment, past 10 s too, however far into a second the run began', () => {
    for (const start of [100, 100.25, 100.7, 100.98]) {
      // The live view at the fake clock's every quarter second: events up to that moment, the window to its second.
      for (let now = start + 1.25; now < start + 25; now += 0.25) {
        const w = new RateWindow(10);
        steady(w, 50, start, now);
        const end = Math.floor(now);
        const span = Math.min(10, end - start);
        // Ten whole seconds: exactly 50. Before, the first second is partial and holds a whole number of events
        // for a fraction of a second: within one event of 50/s over the time covered.
        if (end - 10 >= start) expect(w.rate(end, start)).toBe(50);
        else expect(Math.abs(w.rate(end, start) - 50)).toBeLessThanOrEqual(1 / span + 1e-9);
      }
    }
  });

  it('counts the last, partial second of a finished run for the time it lasted', () => {
    const w = new RateWindow(10);
    steady(w, 50, 100, 130.4);
    expect(w.rate(130.4, 100)).toBeCloseTo(50, 6);
  });
});

describe('current req/s of live summaries', () => {
  it('is the rate of the last complete seconds, in the first seconds and after ten', () => {
    const T0 = 1_700_000_000_600; // the run starts 0.6 s into a second
    const stats = new RequestStats(T0);
    const config = {
      host: '',
      users: 1,
      spawnRate: 1,
      rate: null,
      runTimeS: null,
      processes: 1,
      segment: null,
      instanceHeader: 'x-instance',
      userClasses: [],
    };
    const seen: number[] = [];
    // 50 requests a second (one every 20 ms) for 25 s; a progress summary every 2 s of the fake clock.
    for (let i = 0; i < 25 * 50; i++) {
      const time = T0 + i * 20;
      stats.record(requestEvent({ time }));
      if (i > 0 && i % 100 === 0) seen.push(toSummary(stats, { nowMs: time, config }).total.currentRps);
    }
    expect(seen).toHaveLength(12);
    for (const rps of seen) expect(rps).toBe(50);
  });
});
