import { describe, expect, it } from 'vitest';
import { TimeSeries } from '../stats/time-series';
import { loadSeriesFromTimeSeries } from './load-series';
import { T0 } from './test-support';

/** Second T0: 100 requests of 1..100 ms, 3 of them failed; T0 + 1: none; T0 + 2: one of 7 ms. */
function points() {
  const ts = new TimeSeries();
  for (let ms = 1; ms <= 100; ms++) ts.record(T0, ms, ms <= 3);
  ts.record(T0 + 2, 7, false);
  ts.closeBefore(T0 + 3);
  return ts.points;
}

describe('loadSeriesFromTimeSeries', () => {
  it('carries requests, failures and p95 per second, null latency for a second without requests', () => {
    const s = loadSeriesFromTimeSeries(points());
    expect(s.percentile).toBe(95);
    expect(s.points.map((p) => [p.t, p.achievedRps, p.failures, p.offeredRps, p.dropped])).toEqual([
      [T0, 100, 3, null, 0],
      [T0 + 1, 0, 0, null, 0],
      [T0 + 2, 1, 0, null, 0],
    ]);
    expect(s.points[0]!.latencyMs).toBeCloseTo(95, 0);
    expect(s.points[1]!.latencyMs).toBeNull();
    expect(s.points[2]!.latencyMs).toBe(7);
  });

  it('reads another percentile from each second’s histogram', () => {
    const s = loadSeriesFromTimeSeries(points(), { percentile: 99 });
    expect(s.points[0]!.latencyMs).toBeCloseTo(99, 0);
    expect(s.points[2]!.latencyMs).toBe(7);
    expect(() => loadSeriesFromTimeSeries(points(), { percentile: 0 })).toThrow('percentile must be within');
  });

  it('takes the offered rate and the drops of each second from the caller', () => {
    const s = loadSeriesFromTimeSeries(points(), {
      offeredRps: (t) => (t - T0) * 10 + 100,
      dropped: (t) => (t === T0 + 1 ? 4 : 0),
    });
    expect(s.points.map((p) => [p.offeredRps, p.dropped])).toEqual([
      [100, 0],
      [110, 4],
      [120, 0],
    ]);
  });
});
