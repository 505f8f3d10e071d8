import { describe, expect, it } from 'vitest';
import { nelderMead } from './nelder-mead';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic', () => {
    const m = nelderMead(([a, b]) => (a! - 1) ** 2 + 10 * (b! + 2) ** 2, [0, 0], [0.5, 0.5]);
    expect(m.x[0]).toBeCloseTo(1, 6);
    expect(m.x[1]).toBeCloseTo(-2, 6);
    expect(m.fx).toBeLessThan(1e-10);
  });

  it('follows Rosenbrock’s curved valley to (1, 1)', () => {
    const m = nelderMead(([x, y]) => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2, [-1.2, 1], [0.1, 0.1]);
    expect(m.x[0]).toBeCloseTo(1, 5);
    expect(m.x[1]).toBeCloseTo(1, 5);
  });

  it('works in one dimension', () => {
    expect(nelderMead(([x]) => Math.abs(x! - 3), [0], [1]).x[0]).toBeCloseTo(3, 8);
  });
});
