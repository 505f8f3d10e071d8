import { describe, expect, it } from 'vitest';
import { shouldAbort } from './abort';
import { findKnee } from './knee';
import { hockeyStick, ramp, T0 } from './test-support';

const SLO = { latencyMs: 250 };

describe('shouldAbort', () => {
  it('stops once the last 3 seconds all broke the SLO, naming when and why', () => {
    const series = ramp(20, (i, p) =>
      i >= 17 ? { latencyMs: 900, ...(i === 19 && { achievedRps: p.offeredRps! / 2 }) } : {},
    );
    expect(shouldAbort(series, SLO)).toEqual({
      abort: true,
      since: T0 + 17,
      reasons: ['latency', 'plateau'],
    });
  });

  it('goes on after two breached seconds, after a breach that recovered, and before K seconds exist', () => {
    expect(
      shouldAbort(
        ramp(20, (i) => (i >= 18 ? { latencyMs: 900 } : {})),
        SLO,
      ).abort,
    ).toBe(false);
    expect(
      shouldAbort(
        ramp(20, (i) => (i >= 10 && i < 19 ? { latencyMs: 900 } : {})),
        SLO,
      ).abort,
    ).toBe(false);
    expect(
      shouldAbort(
        ramp(2, () => ({ latencyMs: 900 })),
        SLO,
      ),
    ).toEqual({ abort: false, since: null, reasons: [] });
  });

  it('takes K from the caller, and judges the series’ percentile only', () => {
    const series = ramp(20, (i) => (i >= 18 ? { latencyMs: 900 } : {}));
    expect(shouldAbort(series, SLO, 2).abort).toBe(true);
    expect(() => shouldAbort(series, SLO, 0)).toThrow('breakSeconds');
    expect(() => shouldAbort(series, { latencyMs: 250, percentile: 99 })).toThrow('p99');
  });

  it('agrees with findKnee on a ramp: it stops at the break plus K − 1 seconds', () => {
    const full = ramp(60, hockeyStick);
    const breakAt = findKnee(full, SLO).break!.t;
    const first = full.points.findIndex(
      (_, n) => shouldAbort({ ...full, points: full.points.slice(0, n + 1) }, SLO).abort,
    );
    expect(full.points[first]!.t).toBe(breakAt + 2);
  });
});
