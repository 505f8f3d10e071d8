import { describe, expect, it } from 'vitest';
import { classCounts, type WeightedClass } from './apportion';
import { parseSegment, SegmentDealer } from './segment';
import { SpawnPlan, segmentClassCounts, segmentUserCount } from './spawn-plan';

const w = (...weights: number[]): WeightedClass[] => weights.map((weight) => ({ weight, fixedCount: 0 }));

/** Checks a split of the first `n` users: the union is the whole plan, and every class is split evenly. */
function expectEvenSplit(classes: WeightedClass[], n: number, segments: number): number[][] {
  const rows = segmentClassCounts(classes, n, segments);
  const union = classes.map((_, c) => rows.reduce((s, r) => s + r[c]!, 0));
  expect(union).toEqual(classCounts(classes, n));
  for (let c = 0; c < classes.length; c++) {
    const column = rows.map((r) => r[c]!);
    expect(Math.max(...column) - Math.min(...column)).toBeLessThanOrEqual(1);
  }
  return rows;
}

describe('segments', () => {
  it('parses 1-based i/n', () => {
    expect(parseSegment('2/4')).toEqual({ index: 1, count: 4 });
    expect(parseSegment('1/1')).toEqual({ index: 0, count: 1 });
    for (const bad of ['0/2', '3/2', '2', 'a/b', '1/0'])
      expect(() => parseSegment(bad)).toThrow(/bad segment/);
  });

  it('keeps 3:1 in each of two segments of 20 users (it gave one 5 + 5 and the other 10 + 0)', () => {
    expect(expectEvenSplit(w(3, 1), 20, 2)).toEqual([
      [7, 3],
      [8, 2],
    ]);
    expect([0, 1].map((index) => segmentUserCount(w(3, 1), { index, count: 2 }, 20))).toEqual([10, 10]);
  });

  it('splits uneven numbers evenly, class by class, and adds up to the whole', () => {
    expect(expectEvenSplit(w(3, 1), 103, 3)).toEqual([
      [26, 9],
      [26, 8],
      [25, 9],
    ]);
    expect(expectEvenSplit(w(5, 3, 2), 7, 4).map((r) => r.reduce((a, b) => a + b))).toEqual([2, 2, 2, 1]);
    expect(expectEvenSplit(w(1), 10, 3)).toEqual([[4], [3], [3]]);
    expect(expectEvenSplit(w(3, 1), 20, 1)).toEqual([classCounts(w(3, 1), 20)]);
  });

  it('splits fixed-count users too, and the weighted ones around them', () => {
    const classes = [{ weight: 1, fixedCount: 3 }, ...w(3, 1)];
    expect(expectEvenSplit(classes, 43, 2)).toEqual([
      [2, 15, 5],
      [1, 15, 5],
    ]);
    // One admin: one segment has it, the others none.
    expect(expectEvenSplit([{ weight: 1, fixedCount: 1 }, ...w(1)], 9, 3)).toEqual([
      [1, 2],
      [0, 3],
      [0, 3],
    ]);
  });

  it('holds at every step of a ramp, for many weights and splits', () => {
    for (const weights of [
      [3, 1],
      [1, 1],
      [5, 3, 2],
      [7, 2, 1, 10],
      [1, 1, 1, 1, 1, 1, 7],
      [13, 7, 2, 1],
    ]) {
      for (const segments of [2, 3, 4, 5, 7]) {
        const classes = w(...weights);
        const plan = new SpawnPlan(classes, segments);
        const rows = Array.from({ length: segments }, () => classes.map(() => 0));
        const total = classes.map(() => 0);
        let worstClass = 0;
        let worstTotal = 0;
        for (let k = 0; k < 300; k++) {
          const cls = plan.classAt(k);
          rows[plan.segmentAt(k)]![cls]! += 1;
          total[cls]! += 1;
          for (const row of rows) {
            row.forEach((x, c) => {
              worstClass = Math.max(worstClass, Math.abs(x - total[c]! / segments));
            });
            worstTotal = Math.max(worstTotal, Math.abs(row.reduce((a, b) => a + b) - (k + 1) / segments));
          }
        }
        expect(total).toEqual(classCounts(classes, 300));
        expect(worstClass).toBeLessThan(1);
        expect(worstTotal).toBeLessThan(weights.length === 2 ? 1 : 2);
      }
    }
  });

  it("counts each segment's own users (its config.users), which an even split by index would not", () => {
    // 3:1 over 7 users: R R W R R R W, dealt 0 1 0 1 0 1 1 — segment 2/2 has the extra user, not 1/2.
    expect([0, 1].map((index) => segmentUserCount(w(3, 1), { index, count: 2 }, 7))).toEqual([3, 4]);
    const classes = w(5, 3, 2);
    for (const n of [0, 1, 9, 10, 11, 57]) {
      const sizes = [0, 1, 2].map((index) => segmentUserCount(classes, { index, count: 3 }, n));
      expect(sizes.reduce((a, b) => a + b)).toBe(n);
    }
  });

  it('deals a user to the segment with fewest of its class, then fewest users', () => {
    const d = new SegmentDealer(2, 2);
    expect([0, 0, 1, 0, 0, 0, 1, 0].map((cls) => d.deal(cls))).toEqual([0, 1, 0, 1, 0, 1, 1, 0]);
  });
});
