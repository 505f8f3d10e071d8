import { describe, expect, it } from 'vitest';
import { mergeTimeSeries, TimeSeries } from './time-series';

const SEC = 1_700_000_000;

describe('TimeSeries engine samples', () => {
  it('annotates a second already closed by later requests, keeping the worse of two samples', () => {
    const ts = new TimeSeries();
    ts.record(SEC, 5, false);
    ts.record(SEC + 1, 5, false); // closes SEC before the once-a-second sample arrives
    ts.recordEngine(SEC, 40, 3);
    ts.recordEngine(SEC, 30, 70);
    expect(ts.points[0]).toMatchObject({ t: SEC, engineCpuPercent: 40, eventLoopLagMs: 70 });
  });

  it('holds a sample for the open second until it closes, and drops one before the first point', () => {
    const ts = new TimeSeries();
    ts.record(SEC, 5, false);
    ts.recordEngine(SEC - 5, 99, 99);
    ts.recordEngine(SEC, 95, 4);
    ts.closeBefore(SEC + 2);
    expect(ts.points.map((p) => [p.t, p.engineCpuPercent, p.eventLoopLagMs])).toEqual([
      [SEC, 95, 4],
      [SEC + 1, undefined, undefined],
    ]);
    expect('engineCpuPercent' in ts.points[1]!).toBe(false);
  });

  it('merges workers by the maximum, and leaves the fields out where no part has them', () => {
    const a = new TimeSeries();
    const b = new TimeSeries();
    for (const ts of [a, b]) ts.record(SEC, 5, false);
    a.recordEngine(SEC, 95, 2);
    b.recordEngine(SEC, 40, 60);
    a.closeBefore(SEC + 2);
    b.closeBefore(SEC + 2);
    const merged = mergeTimeSeries([a.points, b.points]);
    expect(merged[0]).toMatchObject({ requests: 2, engineCpuPercent: 95, eventLoopLagMs: 60 });
    expect(merged[1]!.engineCpuPercent).toBeUndefined();
    expect('eventLoopLagMs' in merged[1]!).toBe(false);
  });
});
