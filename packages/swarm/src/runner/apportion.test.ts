import { describe, expect, it } from 'vitest';
import { classCounts, DeficitSequence, spawnOrder } from './apportion';

const w = (...weights: number[]) => weights.map((weight) => ({ weight, fixedCount: 0 }));

describe('apportionment', () => {
  it('follows the weights exactly whenever they divide the total', () => {
    expect(classCounts(w(3, 1), 100)).toEqual([75, 25]);
    expect(classCounts(w(1, 1, 1), 99)).toEqual([33, 33, 33]);
    expect(classCounts(w(5, 3, 2), 1000)).toEqual([500, 300, 200]);
    expect(classCounts(w(7, 2, 1, 10), 40)).toEqual([14, 4, 2, 20]);
  });

  it('keeps every prefix within one user of the exact share', () => {
    for (const weights of [w(3, 1), w(5, 3, 2), w(1, 1, 1, 1, 1, 1, 7), w(13, 7, 2, 1), w(100, 1)]) {
      const total = weights.reduce((s, c) => s + c.weight, 0);
      const order = spawnOrder(weights, 500);
      const counts = weights.map(() => 0);
      order.forEach((cls, k) => {
        counts[cls]! += 1;
        counts.forEach((c, i) => {
          expect(Math.abs(c - ((k + 1) * weights[i]!.weight) / total)).toBeLessThan(1);
        });
      });
    }
  });

  it('spawns fixed-count users first and the weighted classes after them', () => {
    const classes = [
      { weight: 1, fixedCount: 2 },
      { weight: 3, fixedCount: 0 },
      { weight: 1, fixedCount: 0 },
    ];
    expect(spawnOrder(classes, 6)).toEqual([0, 0, 1, 1, 2, 1]);
    expect(classCounts(classes, 10)).toEqual([2, 6, 2]);
    expect(classCounts(classes, 1)).toEqual([1, 0, 0]);
  });

  it('interleaves rather than spawning one class after the other', () => {
    expect(spawnOrder(w(1, 1), 6)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(spawnOrder(w(3, 1), 8)).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
  });

  it('spawns nobody from zero-weight classes', () => {
    expect(classCounts(w(0, 2), 5)).toEqual([0, 5]);
    expect(spawnOrder(w(0, 0), 3)).toEqual([]);
  });

  it('deals an endless sequence by weight: N steps give exactly 3N/4 and N/4 whenever 4 divides N', () => {
    const seq = new DeficitSequence([3, 1]);
    const counts = [0, 0];
    const off: string[] = [];
    for (let n = 1; n <= 100_000; n++) {
      counts[seq.next()]! += 1;
      const exact = n % 4 === 0 ? counts[0] === (3 * n) / 4 : Math.abs(counts[0]! - (3 * n) / 4) < 1;
      if (!exact) off.push(`${n}: ${counts}`);
    }
    expect(off).toEqual([]);
  });

  it('gives the weighted part of the spawn order, however long it runs', () => {
    for (const weights of [
      [3, 1],
      [5, 3, 2],
      [7, 2, 1, 10],
      [0, 2, 1],
      [2.5, 1],
    ]) {
      const seq = new DeficitSequence(weights);
      const endless = Array.from({ length: 2000 }, () => seq.next());
      expect(endless).toEqual(spawnOrder(w(...weights), 2000));
    }
  });

  it('refuses a weight that is not a number of at least 0', () => {
    expect(() => new DeficitSequence([1, -1])).toThrow(/bad weight -1/);
    expect(new DeficitSequence([0, 0]).next()).toBe(-1);
  });
});
