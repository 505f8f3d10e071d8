import { describe, expect, it } from 'vitest';
import type { TimePoint } from '../stats/summary-types';
import { attributeSaturation, generatorSeries, type ServerSeries, seriesId } from './attribution';
import { T0 } from './test-support';

/** A series of one point per second from T0: `at(i)` is its value at second i. */
function series(
  name: string,
  labels: Record<string, string>,
  at: (i: number) => number,
  n = 60,
): ServerSeries {
  return { name, labels, points: Array.from({ length: n }, (_, i) => [T0 + i, at(i)]) };
}

/** CPU (cores) that climbs linearly and reaches `full` (0.9 cores) at second `full`. */
const climbing = (full: number) => (i: number) => Math.min(1, (0.9 * i) / full);

describe('attributeSaturation', () => {
  it('names the first resource to cross its limit, with its time and value, and the generator later', () => {
    const r = attributeSaturation([
      series('process_cpu_cores', { instance: 'app2' }, climbing(50)),
      series('process_cpu_cores', { instance: 'app1' }, climbing(40)),
      series('pg_pool_waiting_requests', { instance: 'app1' }, (i) => (i >= 45 ? 3 : 0)),
      series('swarm_cpu_cores', {}, climbing(52)),
    ]);
    expect(r.verdict).toBe('stack');
    expect(r.first).toEqual({
      series: 'process_cpu_cores{instance="app1"}',
      what: 'CPU of a single-threaded Node process (cores)',
      generator: false,
      t: T0 + 40,
      value: 0.9,
      limit: 0.9,
      baseline: null,
    });
    expect(r.crossings.map((c) => [c.series, c.t - T0])).toEqual([
      ['process_cpu_cores{instance="app1"}', 40],
      ['pg_pool_waiting_requests{instance="app1"}', 45],
      ['process_cpu_cores{instance="app2"}', 50],
      ['swarm_cpu_cores', 52],
    ]);
    expect(r.note).toBe(
      'first to saturate: process_cpu_cores{instance="app1"} 0.9 ≥ 0.9 at +40 s ' +
        '(CPU of a single-threaded Node process (cores)); the generator saturated too, 12 s later',
    );
  });

  it('flags the generator when its CPU or lag saturated first, so the stack is not blamed', () => {
    const r = attributeSaturation([
      series('process_cpu_cores', { instance: 'app1' }, climbing(40)),
      series('swarm_eventloop_lag_p99_seconds', {}, (i) => (i >= 30 ? 0.08 : 0.002)),
    ]);
    expect(r.verdict).toBe('generator');
    expect(r.first).toMatchObject({ series: 'swarm_eventloop_lag_p99_seconds', generator: true, t: T0 + 30 });
    expect(r.note).toMatch(/^the load generator saturated first: .* the rate measured is the generator's/);
  });

  it('gives a tie to the generator', () => {
    const r = attributeSaturation([
      series('process_cpu_cores', { instance: 'app1' }, climbing(40)),
      series('swarm_cpu_cores', {}, climbing(40)),
    ]);
    expect(r.verdict).toBe('generator');
  });

  it('ignores a single spike unless sustain is 1', () => {
    const spiky = [
      series('process_cpu_cores', { instance: 'app1' }, (i) => (i === 10 ? 1 : i >= 40 ? 0.95 : 0.3)),
    ];
    expect(attributeSaturation(spiky).first?.t).toBe(T0 + 40);
    expect(attributeSaturation(spiky, { sustain: 1 }).first?.t).toBe(T0 + 10);
  });

  it('judges event-loop delay against 3× its own low-load baseline, floored at 20 ms', () => {
    // Baseline: the median of the first 10 s, 10 + 4.5 × 0.5 = 12.25 ms; the limit 36.75 ms is crossed at 35 s.
    const r = attributeSaturation([
      series('nodejs_eventloop_lag_p99_seconds', { instance: 'app1' }, (i) =>
        i < 35 ? 0.01 + i * 0.0005 : 0.05,
      ),
    ]);
    expect(r.first?.t).toBe(T0 + 35);
    expect(r.first?.baseline).toBeCloseTo(0.01225, 12);
    expect(r.first?.limit).toBeCloseTo(0.03675, 12);
    // A near-zero baseline: the floor decides.
    const quiet = attributeSaturation([
      series('nodejs_eventloop_lag_p99_seconds', {}, (i) => (i < 20 ? 0.001 : i < 30 ? 0.015 : 0.025)),
    ]);
    expect(quiet.first).toMatchObject({ t: T0 + 30, limit: 0.02, baseline: 0.001 });
  });

  it('takes the baseline window and the end of the examined span from the caller', () => {
    const lag = series('nodejs_eventloop_lag_p99_seconds', {}, (i) => (i < 20 ? 0.01 : i < 40 ? 0.04 : 0.2));
    expect(attributeSaturation([lag]).first?.t).toBe(T0 + 20);
    // Baseline taken at 20..30 s (40 ms): the limit is 120 ms, crossed at 40 s.
    expect(attributeSaturation([lag], { baseline: { from: T0 + 20, to: T0 + 30 } }).first?.t).toBe(T0 + 40);
    expect(attributeSaturation([lag], { until: T0 + 20 }).first).toBeNull();
    expect(attributeSaturation([lag], { until: T0 + 21 }).first?.t).toBe(T0 + 20);
  });

  it('lists series without a rule or without baseline points as unjudged', () => {
    const r = attributeSaturation(
      [
        series('nginx_connections_active', {}, () => 5000),
        series('nodejs_eventloop_lag_p99_seconds', { instance: 'app1' }, () => 1),
      ],
      { baseline: { from: 0, to: 10 } },
    );
    expect(r.unjudged).toEqual([
      'nginx_connections_active',
      'nodejs_eventloop_lag_p99_seconds{instance="app1"}',
    ]);
    expect(r.verdict).toBe('none');
    expect(r.note).toMatch(/^no resource saturated/);
  });

  it('uses the first rule that matches, labels included', () => {
    const rules = [
      {
        name: 'process_cpu_cores',
        labels: { job: 'postgres' },
        atLeast: 1.8,
        what: 'Postgres CPU (2 cores)',
      },
      { name: 'process_cpu_cores', atLeast: 0.9, what: 'Node CPU' },
      { name: 'nginx_connections_active', growth: 10, what: 'gateway connections' },
    ];
    const r = attributeSaturation(
      [
        series('process_cpu_cores', { job: 'postgres' }, () => 1.2),
        series('process_cpu_cores', { job: 'api' }, climbing(50)),
        series('nginx_connections_active', {}, (i) => (i < 30 ? 10 : 200)),
      ],
      { rules },
    );
    expect(r.crossings.map((c) => [c.what, c.t - T0])).toEqual([
      ['gateway connections', 30],
      ['Node CPU', 50],
    ]);
    expect(() => attributeSaturation([], { rules: [{ name: 'x', what: 'x' }] })).toThrow(
      'needs atLeast or growth',
    );
  });
});

describe('generatorSeries', () => {
  it('turns the engine’s CPU percent and lag ms into cores and seconds, skipping unsampled seconds', () => {
    const p = (t: number, cpu?: number, lag?: number): TimePoint => ({
      t,
      users: 1,
      requests: 1,
      failures: 0,
      p50Ms: 1,
      p95Ms: 1,
      hist: '',
      instances: {},
      cache: {},
      ...(cpu !== undefined && { engineCpuPercent: cpu, eventLoopLagMs: lag }),
    });
    expect(generatorSeries([p(T0, 45, 3), p(T0 + 1), p(T0 + 2, 95, 60)])).toEqual([
      {
        name: 'swarm_cpu_cores',
        labels: {},
        points: [
          [T0, 0.45],
          [T0 + 2, 0.95],
        ],
      },
      {
        name: 'swarm_eventloop_lag_p99_seconds',
        labels: {},
        points: [
          [T0, 0.003],
          [T0 + 2, 0.06],
        ],
      },
    ]);
    const r = attributeSaturation(generatorSeries([p(T0, 45, 3), p(T0 + 1, 95, 3), p(T0 + 2, 95, 60)]));
    expect(r).toMatchObject({ verdict: 'generator', first: { series: 'swarm_cpu_cores', t: T0 + 1 } });
  });
});

describe('seriesId', () => {
  it('prints a series as Prometheus does, labels sorted', () => {
    expect(seriesId({ name: 'up', labels: { job: 'api', instance: 'a' } })).toBe(
      'up{instance="a",job="api"}',
    );
    expect(seriesId({ name: 'up', labels: {} })).toBe('up');
  });
});
