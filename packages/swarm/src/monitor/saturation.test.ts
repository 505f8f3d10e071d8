import { describe, expect, it } from 'vitest';
import type { TimePoint } from '../stats/summary-types';
import { isSaturated, saturatedWindows } from './saturation';

const T0 = 1_700_000_000;

/** One point per entry: `[cpu, lag]`, or null for a second without engine data. */
function points(samples: Array<[number, number] | null>): TimePoint[] {
  return samples.map((s, i) => ({
    t: T0 + i,
    users: 1,
    requests: 1,
    failures: 0,
    p50Ms: 1,
    p95Ms: 1,
    hist: '',
    instances: {},
    cache: {},
    ...(s && { engineCpuPercent: s[0], eventLoopLagMs: s[1] }),
  }));
}

describe('isSaturated', () => {
  it('uses the run warning rule: CPU ≥ 90% of a core or lag ≥ 50 ms, bounds included', () => {
    expect(isSaturated(90, 0)).toBe(true);
    expect(isSaturated(89.9, 49.9)).toBe(false);
    expect(isSaturated(10, 50)).toBe(true);
  });
});

describe('saturatedWindows', () => {
  it('joins consecutive saturated seconds into one window [from, to) since the first point', () => {
    const ts = points([
      [20, 1],
      [95, 1],
      [97, 2],
      [30, 80],
      [40, 2],
      [91, 0],
    ]);
    expect(saturatedWindows(ts)).toEqual([
      { from: 1, to: 4 },
      { from: 5, to: 6 },
    ]);
  });

  it('never marks a second without engine data, and a gap ends a window', () => {
    expect(saturatedWindows(points([[99, 0], null, [99, 0]]))).toEqual([
      { from: 0, to: 1 },
      { from: 2, to: 3 },
    ]);
    expect(saturatedWindows(points([null, null]))).toEqual([]);
  });

  it('judges a second with only one of the two measures by that one', () => {
    const [p] = points([null]);
    expect(saturatedWindows([{ ...p!, eventLoopLagMs: 60 }])).toEqual([{ from: 0, to: 1 }]);
    expect(saturatedWindows([{ ...p!, engineCpuPercent: 50 }])).toEqual([]);
  });

  it('is empty for a healthy run or no points', () => {
    expect(
      saturatedWindows(
        points([
          [10, 1],
          [89, 49],
        ]),
      ),
    ).toEqual([]);
    expect(saturatedWindows([])).toEqual([]);
  });
});
