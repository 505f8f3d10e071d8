import { describe, expect, it } from 'vitest';
import { EndpointSeries, mergeEndpointSeries } from './endpoint-series';
import { decodeHistogram } from './histogram';
import { requestEvent as ev } from './test-support';

const T0 = 1_700_000_000_000;

describe('EndpointSeries', () => {
  it('keeps one point per second and row, with its counts, bytes and exact extremes', () => {
    const s = new EndpointSeries();
    s.record(ev({ name: '/a', ms: 5, bytes: 10, time: T0 + 100 }));
    s.record(ev({ name: '/a', ms: 9, bytes: 30, error: 'HTTP 500', time: T0 + 200 }));
    s.record(ev({ method: 'POST', name: '/b', ms: 2, time: T0 + 300 }));
    s.record(ev({ name: '/a', ms: 1, time: T0 + 1100 }));
    s.closeBefore(T0 / 1000 + 2);
    expect(s.points.map(({ hist, ...p }) => p)).toEqual([
      { t: T0 / 1000, method: 'GET', name: '/a', requests: 2, failures: 1, bytes: 40, minMs: 5, maxMs: 9 },
      { t: T0 / 1000, method: 'POST', name: '/b', requests: 1, failures: 0, bytes: 100, minMs: 2, maxMs: 2 },
      {
        t: T0 / 1000 + 1,
        method: 'GET',
        name: '/a',
        requests: 1,
        failures: 0,
        bytes: 100,
        minMs: 1,
        maxMs: 1,
      },
    ]);
    expect(decodeHistogram(s.points[0]!.hist).totalCount).toBe(2);
  });

  it('merges the series of two workers by second and row', () => {
    const one = new EndpointSeries();
    const two = new EndpointSeries();
    one.record(ev({ name: '/a', ms: 5, time: T0 }));
    two.record(ev({ name: '/a', ms: 7, time: T0 + 500 }));
    two.record(ev({ name: '/c', ms: 1, time: T0 + 1500 }));
    for (const s of [one, two]) s.closeBefore(T0 / 1000 + 2);
    const merged = mergeEndpointSeries([one.points, two.points]);
    expect(merged.map((p) => [p.t - T0 / 1000, p.name, p.requests, p.minMs, p.maxMs])).toEqual([
      [0, '/a', 2, 5, 7],
      [1, '/c', 1, 1, 1],
    ]);
    expect(decodeHistogram(merged[0]!.hist).totalCount).toBe(2);
  });
});
