import { describe, expect, it } from 'vitest';
import { weightedPicker } from './weighted-choice';

describe('weightedPicker', () => {
  it('maps the random number onto cumulative weights', () => {
    const values = [0, 0.29, 0.3, 0.59, 0.6, 0.99];
    let i = 0;
    const pick = weightedPicker(['a', 'b', 'c'], [3, 3, 4], () => values[i++]!);
    expect(values.map(() => pick())).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
  });

  it('never picks a zero-weight item', () => {
    const pick = weightedPicker(['a', 'never', 'b'], [1, 0, 1], () => 0.5);
    expect(pick()).toBe('b');
  });

  it('gives proportions close to the weights over many picks', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const pick = weightedPicker(['a', 'b'], [3, 1], random);
    let a = 0;
    for (let n = 0; n < 40_000; n++) if (pick() === 'a') a++;
    expect(a / 40_000).toBeGreaterThan(0.74);
    expect(a / 40_000).toBeLessThan(0.76);
  });

  it('rejects empty lists and all-zero weights', () => {
    expect(() => weightedPicker([], [])).toThrow(/no items/);
    expect(() => weightedPicker(['a'], [0])).toThrow(/all weights are 0/);
  });
});
