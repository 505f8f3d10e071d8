import { describe, expect, it } from 'vitest';
import { sampleSummary } from '../report/test-support';
import type { EntrySummary, Summary } from '../stats/summary-types';
import { compareSummaries } from './compare';

interface Shape {
  requests?: number;
  failures?: number;
  p50?: number;
  p95?: number;
  rps?: number;
}

/** An entry with just the numbers a comparison reads; the rest copied from a real summary. */
function entry(method: string, name: string, x: Shape = {}): EntrySummary {
  const base = sampleSummary().total;
  return {
    ...base,
    method,
    name,
    requests: x.requests ?? 1000,
    failures: x.failures ?? 0,
    percentiles: { ...base.percentiles, '50': x.p50 ?? 20, '95': x.p95 ?? 100 },
    rps: x.rps ?? 100,
  };
}

function run(endpoints: EntrySummary[], total: EntrySummary = entry('', 'Aggregated')): Summary {
  return { ...sampleSummary(), total, endpoints };
}

describe('compareSummaries', () => {
  it('reports an improvement with its relative change and no regression', () => {
    const c = compareSummaries(
      run([entry('GET', '/users', { p50: 20, p95: 100, rps: 100 })]),
      run([entry('GET', '/users', { p50: 10, p95: 50, rps: 150 })]),
    );
    const users = c.endpoints[0]!;
    expect(users.status).toBe('both');
    expect(users.metrics.p50).toEqual({ base: 20, current: 10, change: -0.5, regressed: false });
    expect(users.metrics.p95.change).toBe(-0.5);
    expect(users.metrics.rps.change).toBe(0.5);
    expect(users.regressions).toEqual([]);
    expect(c.regressionCount).toBe(0);
  });

  it('lets a change within the tolerance pass and flags one beyond it', () => {
    const base = run([
      entry('GET', '/a', { p95: 100, rps: 100 }),
      entry('GET', '/b', { p95: 100, rps: 100 }),
    ]);
    const current = run([
      entry('GET', '/a', { p95: 109, rps: 91 }),
      entry('GET', '/b', { p95: 111, rps: 89 }),
    ]);
    const c = compareSummaries(base, current);
    expect(c.endpoints.map((e) => e.regressions)).toEqual([[], ['p95', 'req/s']]);
    expect(c.regressionCount).toBe(2);
    // The same run with a wider tolerance: nothing flagged.
    expect(compareSummaries(base, current, { tolerance: 0.2 }).regressionCount).toBe(0);
  });

  it('flags the failure rate by its absolute rise', () => {
    const base = run([entry('GET', '/a', { requests: 1000, failures: 5 })]);
    const within = compareSummaries(base, run([entry('GET', '/a', { requests: 1000, failures: 14 })]));
    expect(within.endpoints[0]!.metrics.failRate.change).toBeCloseTo(0.009);
    expect(within.regressionCount).toBe(0);
    const beyond = compareSummaries(base, run([entry('GET', '/a', { requests: 1000, failures: 16 })]));
    expect(beyond.endpoints[0]!.regressions).toEqual(['failure rate']);
  });

  it('ignores latency swings under the floor, however large the ratio', () => {
    const base = run([entry('GET', '/fast', { p50: 0.3, p95: 0.6 })]);
    const c = compareSummaries(base, run([entry('GET', '/fast', { p50: 0.9, p95: 1.5 })]));
    expect(c.endpoints[0]!.metrics.p50.change).toBeCloseTo(2);
    expect(c.regressionCount).toBe(0);
    expect(
      compareSummaries(base, run([entry('GET', '/fast', { p50: 0.3, p95: 1.7 })])).endpoints[0]!.regressions,
    ).toEqual(['p95']);
  });

  it('lists endpoints on one side only as added or removed, never as regressions', () => {
    const c = compareSummaries(
      run([entry('GET', '/kept'), entry('GET', '/gone')]),
      run([entry('GET', '/kept'), entry('POST', '/kept'), entry('GET', '/new')]),
    );
    expect(c.endpoints.map((e) => [e.method, e.name, e.status])).toEqual([
      ['GET', '/kept', 'both'],
      ['POST', '/kept', 'added'],
      ['GET', '/new', 'added'],
      ['GET', '/gone', 'removed'],
    ]);
    const added = c.endpoints[1]!;
    expect(added.metrics.p95).toEqual({ base: null, current: 100, change: null, regressed: false });
    expect(c.endpoints[3]!.metrics.rps).toEqual({ base: 100, current: null, change: null, regressed: false });
    expect(c.regressionCount).toBe(0);
  });

  it('handles zero baselines: no requests means no data, zero rates have no ratio', () => {
    const c = compareSummaries(
      run([
        entry('GET', '/idle', { requests: 0, rps: 0, p50: 0, p95: 0 }),
        entry('GET', '/was-zero', { rps: 0, p50: 0, p95: 0 }),
      ]),
      run([
        entry('GET', '/idle', { requests: 10, failures: 10, rps: 5, p95: 900 }),
        entry('GET', '/was-zero', { rps: 0, p50: 0, p95: 30 }),
      ]),
    );
    const idle = c.endpoints[0]!;
    expect(idle.metrics.p95).toEqual({ base: null, current: 900, change: null, regressed: false });
    expect(idle.metrics.failRate.base).toBeNull();
    expect(idle.regressions).toEqual([]);
    const wasZero = c.endpoints[1]!;
    expect(wasZero.metrics.rps).toEqual({ base: 0, current: 0, change: 0, regressed: false });
    // From 0 ms to 30 ms: no ratio, but well above the floor.
    expect(wasZero.metrics.p95).toEqual({ base: 0, current: 30, change: null, regressed: true });
    expect(wasZero.metrics.p50.change).toBe(0);
  });

  it('compares the totals too, and counts their regressions', () => {
    const c = compareSummaries(
      run([], entry('', 'Aggregated', { rps: 200 })),
      run([], entry('', 'Aggregated', { rps: 100 })),
    );
    expect(c.total.name).toBe('Aggregated');
    expect(c.total.regressions).toEqual(['req/s']);
    expect(c.regressionCount).toBe(1);
    expect(c.options).toEqual({ tolerance: 0.1, failureTolerance: 0.01, latencyFloorMs: 1 });
  });
});
