import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/test-support';
import { type CapacityPoint, fitUsl, type UslParams, uslCapacity } from './usl';

/** Capacities the law gives at N = 1..k, each scaled by 1 + `noise` × a uniform draw in [-1, 1] (seeded). */
function synthetic(p: UslParams, k: number, noise = 0, seed = 7): CapacityPoint[] {
  const random = seededRandom(seed);
  return Array.from({ length: k }, (_, i) => ({
    n: i + 1,
    capacity: uslCapacity(i + 1, p) * (1 + noise * (2 * random() - 1)),
  }));
}

/** Every number of the fit is finite (Infinity allowed only where documented) and none is NaN. */
function expectNoNaN(f: ReturnType<typeof fitUsl>): void {
  const numbers = [f.lambda, f.sigma, f.kappa, f.r2, ...f.perN.flatMap((x) => Object.values(x))];
  for (const x of numbers) expect(Number.isFinite(x)).toBe(true);
  expect(Number.isNaN(f.peakN) || Number.isNaN(f.peakCapacity)).toBe(false);
}

describe('uslCapacity', () => {
  it('is λN / (1 + σ(N − 1) + κN(N − 1))', () => {
    expect(uslCapacity(1, { lambda: 1000, sigma: 0.05, kappa: 0.001 })).toBe(1000);
    expect(uslCapacity(4, { lambda: 1000, sigma: 0.05, kappa: 0.001 })).toBeCloseTo(4000 / 1.162, 9);
  });
});

describe('fitUsl', () => {
  it('recovers λ, σ and κ from exact capacities, and the peak N* = √((1 − σ)/κ)', () => {
    const truth = { lambda: 1000, sigma: 0.05, kappa: 0.001 };
    const f = fitUsl(synthetic(truth, 16));
    expect(f.lambda).toBeCloseTo(1000, 4);
    expect(f.sigma).toBeCloseTo(0.05, 7);
    expect(f.kappa).toBeCloseTo(0.001, 8);
    expect(f.r2).toBeCloseTo(1, 12);
    expect(f.exact).toBe(false);
    expect(f.peakN).toBeCloseTo(Math.sqrt(0.95 / 0.001), 3);
    expect(f.peakCapacity).toBeCloseTo(uslCapacity(f.peakN, truth), 2);
    expect(f.note).toBe(`capacity peaks at N* ≈ 30.8 (≈ ${Math.round(uslCapacity(f.peakN, truth))} req/s)`);
  });

  it('recovers them within tolerance from capacities with ±1% noise, fitting them at least as well as the truth', () => {
    const truth = { lambda: 1000, sigma: 0.05, kappa: 0.001 };
    for (const seed of [1, 2, 3, 4, 5]) {
      const points = synthetic(truth, 16, 0.01, seed);
      const f = fitUsl(points);
      expect(Math.abs(f.lambda - 1000)).toBeLessThan(20);
      expect(Math.abs(f.sigma - 0.05)).toBeLessThan(0.015);
      expect(Math.abs(f.kappa - 0.001)).toBeLessThan(0.0004);
      // Least squares: no worse than the parameters that made the data.
      const sse = (p: UslParams) => points.reduce((s, x) => s + (x.capacity - uslCapacity(x.n, p)) ** 2, 0);
      expect(sse(f)).toBeLessThanOrEqual(sse(truth));
      expect(f.r2).toBeGreaterThan(0.99);
      expect(f.r2).toBeLessThan(1);
    }
  });

  it('recovers a coherency-dominated law (σ = 0, κ = 0.01) from 8 noisy points', () => {
    const f = fitUsl(synthetic({ lambda: 500, sigma: 0, kappa: 0.01 }, 8, 0.01));
    expect(f.sigma).toBeLessThan(0.02);
    expect(f.kappa).toBeCloseTo(0.01, 2);
    expect(f.peakN).toBeGreaterThan(8);
    expect(f.peakN).toBeLessThan(12);
  });

  it('gives κ exactly 0 and no peak for Amdahl-like data, with its ceiling λ/σ', () => {
    const f = fitUsl(synthetic({ lambda: 1000, sigma: 0.2, kappa: 0 }, 8));
    expect(f.kappa).toBe(0);
    expect(f.sigma).toBeCloseTo(0.2, 6);
    expect(f.peakN).toBe(Number.POSITIVE_INFINITY);
    expect(f.peakCapacity).toBeCloseTo(5000, 2);
    expect(f.note).toBe('no peak (κ = 0): capacity approaches λ/σ ≈ 5000 req/s');
  });

  it('with two replica counts fixes κ at 0 and says so', () => {
    const f = fitUsl([
      { n: 1, capacity: 1000 },
      { n: 2, capacity: 1900 },
    ]);
    expect(f).toMatchObject({ kappaFixed: true, kappa: 0, parameters: 2, exact: true });
    expect(f.sigma).toBeCloseTo(2000 / 1900 - 1, 8);
    expect(f.note).toMatch(/^two replica counts only: κ fixed at 0/);
  });

  it('fits capacity falling with N (two replicas worse than one) without NaN: peak at N = 1', () => {
    const f = fitUsl([
      { n: 1, capacity: 1000 },
      { n: 2, capacity: 600 },
    ]);
    expectNoNaN(f);
    expect(f.sigma).toBeCloseTo(2000 / 600 - 1, 6);
    expect(f.peakN).toBe(1);
    expect(f.note).toContain('capacity falls from N = 1');
  });

  it('on this machine’s gateway numbers (13.3k, 7.8–10.4k, 6.2–10.0k req/s) says replicas only cost', () => {
    // Midpoints: 1 → 13300, 2 → 9100, 3 → 8100. Replicas, nginx, Postgres, Redis and the generator share 2 cores.
    const measured = [
      { n: 1, capacity: 13_300 },
      { n: 2, capacity: 9_100 },
      { n: 3, capacity: 8_100 },
    ];
    const f = fitUsl(measured);
    expectNoNaN(f);
    // Three points, three parameters: an exact fit, σ ≈ 1.84 > 1 (contention) and κ ≈ 0.040.
    expect(f.exact).toBe(true);
    expect(f.lambda).toBeCloseTo(13_300, 3);
    expect(f.sigma).toBeCloseTo(1.8433, 3);
    expect(f.kappa).toBeCloseTo(0.0399, 3);
    expect(f.peakN).toBe(1);
    expect(f.perN.map((x) => Math.round(x.efficiency * 1000) / 1000)).toEqual([1, 0.342, 0.203]);
    for (const x of f.perN.slice(1)) expect(x.efficiency).toBeLessThan(1);
    expect(f.note).toContain('capacity falls from N = 1');
    // The ranges' ends as five separate points: no longer exact, still a fall from N = 1.
    const ranges = fitUsl([
      { n: 1, capacity: 13_300 },
      { n: 2, capacity: 7_800 },
      { n: 2, capacity: 10_400 },
      { n: 3, capacity: 6_200 },
      { n: 3, capacity: 10_000 },
    ]);
    expectNoNaN(ranges);
    expect(ranges.exact).toBe(false);
    expect(ranges.peakN).toBe(1);
    expect(ranges.perN.map((x) => x.measured)).toEqual([13_300, 9_100, 8_100]);
    expect(ranges.r2).toBeGreaterThan(0.5);
    expect(ranges.r2).toBeLessThan(1);
  });

  it('cannot follow superlinear scaling (σ, κ ≥ 0) and says so', () => {
    const f = fitUsl([
      { n: 1, capacity: 1000 },
      { n: 2, capacity: 2200 },
      { n: 4, capacity: 4600 },
    ]);
    expect(f).toMatchObject({ sigma: 0, kappa: 0, exact: false });
    expect(f.r2).toBeLessThan(1);
    expect(f.note).toContain('superlinear');
  });

  it('measures efficiency against λ when N = 1 was not measured', () => {
    const f = fitUsl(synthetic({ lambda: 1000, sigma: 0.1, kappa: 0.002 }, 6).slice(1));
    expect(f.perN[0]!.n).toBe(2);
    expect(f.perN[0]!.efficiency).toBeCloseTo(1 / 1.104, 6);
    expect(f.lambda).toBeCloseTo(1000, 3);
  });

  it('refuses fewer than two distinct N, N below 1 and capacities that are not positive', () => {
    expect(() => fitUsl([{ n: 2, capacity: 5 }])).toThrow('two or more distinct N');
    expect(() =>
      fitUsl([
        { n: 0, capacity: 5 },
        { n: 2, capacity: 5 },
      ]),
    ).toThrow('N must be a number ≥ 1');
    expect(() =>
      fitUsl([
        { n: 1, capacity: 0 },
        { n: 2, capacity: 5 },
      ]),
    ).toThrow('capacity at N = 1 must be a positive number');
  });
});
