import { describe, expect, it } from 'vitest';
import { behaviourPatch, draw } from './behaviour';

const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('draw', () => {
  it('spreads the latency uniformly over latency ± jitter, never below 0', () => {
    const b = { latencyMs: 100, jitterMs: 20, errorRate: 0 };
    expect(draw(b, sequence(0)).delayMs).toBe(80);
    expect(draw(b, sequence(0.5)).delayMs).toBe(100);
    expect(draw(b, sequence(0.999999)).delayMs).toBe(120);
    expect(draw({ latencyMs: 5, jitterMs: 50, errorRate: 0 }, sequence(0)).delayMs).toBe(0);
  });

  it('fails at the error rate: never at 0, always at 1, by the draw in between', () => {
    expect(draw({ latencyMs: 0, jitterMs: 0, errorRate: 0 }, sequence(0, 0)).fail).toBe(false);
    expect(draw({ latencyMs: 0, jitterMs: 0, errorRate: 1 }, sequence(0.5, 0.999999)).fail).toBe(true);
    const fifth = { latencyMs: 0, jitterMs: 0, errorRate: 0.2 };
    expect(draw(fifth, sequence(0.5, 0.19)).fail).toBe(true);
    expect(draw(fifth, sequence(0.5, 0.2)).fail).toBe(false);
  });

  it('fails about errorRate of the time over many draws', () => {
    const b = { latencyMs: 0, jitterMs: 0, errorRate: 0.2 };
    let failed = 0;
    for (let i = 0; i < 10_000; i++) if (draw(b, Math.random).fail) failed++;
    expect(failed).toBeGreaterThan(1700);
    expect(failed).toBeLessThan(2300);
  });
});

describe('behaviourPatch', () => {
  it('takes any of the three fields', () => {
    expect(behaviourPatch.parse({ latencyMs: 2000, errorRate: 0.2 })).toEqual({
      latencyMs: 2000,
      errorRate: 0.2,
    });
  });

  it('refuses out-of-range values, unknown fields and an empty change', () => {
    for (const bad of [
      { latencyMs: -1 },
      { latencyMs: 60_001 },
      { errorRate: 1.5 },
      { jitterMs: 1.5 },
      { x: 1 },
      {},
    ]) {
      expect(behaviourPatch.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
