import { describe, expect, it } from 'vitest';
import { hitRatioBack, hitRatioBetween } from './cache-back';

const s = (t: number, HIT: number, MISS: number, BYPASS = 0) => ({ t, cache: { HIT, MISS, BYPASS } });

describe('hitRatioBack', () => {
  it('counts from the moment to the first of three seconds whose reads together reach the target', () => {
    const series = [
      s(9, 0, 0, 90),
      s(10, 0, 10, 80),
      s(11, 50, 50),
      s(12, 95, 5),
      s(13, 88, 12),
      s(14, 99, 1),
    ];
    const r = hitRatioBack(series, 10_500, 0.9);
    // 12..14 together: 282 of 300 = 0.94 (13 alone is below 0.9: a second's noise does not reset the count).
    expect(r.seconds).toBeCloseTo(1.5);
    expect(r.ratios).toEqual([0, 0.5, 0.95, 0.88, 0.99]);
  });

  it('counts BYPASS against the ratio, skips seconds without reads, and says null when it never got there', () => {
    const series = [s(10, 75, 0, 25), s(11, 0, 0), s(12, 85, 15), s(13, 95, 5), s(14, 95, 5)];
    expect(hitRatioBack(series, 10_000, 0.9).seconds).toBe(2);
    expect(hitRatioBack(series.slice(0, 4), 10_000, 0.9).seconds).toBeNull();
    expect(
      hitRatioBack([s(10, 90, 0, 20), s(11, 90, 0, 20), s(12, 90, 0, 20)], 10_000, 0.9).seconds,
    ).toBeNull();
  });

  it('gives the HIT share over a span of seconds', () => {
    const series = [s(9, 0, 100), s(10, 80, 20), s(11, 90, 10, 0), s(12, 0, 100)];
    expect(hitRatioBetween(series, 10_000, 12_000)).toBeCloseTo(0.85);
    expect(hitRatioBetween(series, 20_000, 30_000)).toBeNull();
  });
});
