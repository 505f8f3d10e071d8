import { describe, expect, it } from 'vitest';
import { hitRatioBack } from './cache-back';

const s = (t: number, HIT: number, MISS: number, BYPASS = 0) => ({ t, cache: { HIT, MISS, BYPASS } });

describe('hitRatioBack', () => {
  it('counts from the moment to the first second of a held ratio, BYPASS counting against it', () => {
    const series = [
      s(9, 0, 0, 90),
      s(10, 0, 10, 80),
      s(11, 50, 50),
      s(12, 95, 5),
      s(13, 92, 8),
      s(14, 99, 1),
    ];
    const r = hitRatioBack(series, 10_500, 0.9);
    expect(r.seconds).toBeCloseTo(1.5);
    expect(r.ratios).toEqual([0, 0.5, 0.95, 0.92, 0.99]);
  });

  it('starts the count again after a second below the target, and says null when it never held', () => {
    const series = [s(10, 95, 5), s(11, 80, 20), s(12, 95, 5), s(13, 95, 5), s(14, 95, 5)];
    expect(hitRatioBack(series, 10_000, 0.9).seconds).toBe(2);
    expect(hitRatioBack(series.slice(0, 4), 10_000, 0.9).seconds).toBeNull();
  });
});
