import { describe, expect, it } from 'vitest';
import { classCounts, spawnOrder } from './apportion';
import { ownedCount, owns, parseSegment } from './segment';

describe('segments', () => {
  it('parses 1-based i/n', () => {
    expect(parseSegment('2/4')).toEqual({ index: 1, count: 4 });
    expect(parseSegment('1/1')).toEqual({ index: 0, count: 1 });
    for (const bad of ['0/2', '3/2', '2', 'a/b', '1/0'])
      expect(() => parseSegment(bad)).toThrow(/bad segment/);
  });

  it('splits users so that the segments add up to the whole, class by class', () => {
    const classes = [
      { weight: 3, fixedCount: 0 },
      { weight: 1, fixedCount: 0 },
    ];
    const order = spawnOrder(classes, 103);
    const perSegment = [0, 1, 2].map((index) => {
      const counts = [0, 0];
      order.forEach((cls, k) => {
        if (owns({ index, count: 3 }, k)) counts[cls]! += 1;
      });
      return counts;
    });
    expect(perSegment.reduce((a, b) => [a[0]! + b[0]!, a[1]! + b[1]!])).toEqual(classCounts(classes, 103));
    expect([0, 1, 2].map((index) => ownedCount({ index, count: 3 }, 103))).toEqual([35, 34, 34]);
  });
});
