import { describe, expect, it } from 'vitest';
import type { LoadSecond } from './load-series';
import { judgeSecond, resolveSlo, SLO_DEFAULTS, sloFromThresholds } from './slo';
import { T0 } from './test-support';

const SLO = resolveSlo({ latencyMs: 500 });

function second(x: Partial<LoadSecond>): LoadSecond {
  return { t: T0, offeredRps: 100, achievedRps: 100, latencyMs: 50, failures: 0, dropped: 0, ...x };
}

describe('resolveSlo', () => {
  it('fills in p95, 1% failures, 10% shortfall and no drops', () => {
    expect(SLO).toEqual({ ...SLO_DEFAULTS, latencyMs: 500 });
    expect(SLO).toMatchObject({ percentile: 95, failureRate: 0.01, shortfall: 0.1, droppedRate: 0 });
  });

  it('names the setting and its range when a value is out of it', () => {
    expect(() => resolveSlo({ latencyMs: 0 })).toThrow('SLO latencyMs must be a positive number, got 0');
    expect(() => resolveSlo({ latencyMs: 5, percentile: 101 })).toThrow(
      'SLO percentile must be within (0, 100]',
    );
    expect(() => resolveSlo({ latencyMs: 5, failureRate: 2 })).toThrow(
      'SLO failureRate must be within [0, 1]',
    );
    expect(() => resolveSlo({ latencyMs: 5, shortfall: 1 })).toThrow('SLO shortfall must be within [0, 1)');
  });
});

describe('sloFromThresholds', () => {
  it('reads p(N), rate and dropped_rate in the threshold language', () => {
    expect(sloFromThresholds(['p(99)<800', 'rate<0.001', 'dropped_rate<=0.05'])).toEqual({
      ...SLO_DEFAULTS,
      percentile: 99,
      latencyMs: 800,
      failureRate: 0.001,
      droppedRate: 0.05,
    });
  });

  it('refuses what an SLO cannot say: no latency, two latencies, other metrics, >, one endpoint', () => {
    expect(() => sloFromThresholds(['rate<0.01'])).toThrow('SLO needs a latency percentile');
    expect(() => sloFromThresholds(['p(95)<500', 'p(99)<900'])).toThrow('one latency percentile only');
    expect(() => sloFromThresholds(['p(95)<500', 'avg<100'])).toThrow('SLO "avg<100"');
    expect(() => sloFromThresholds(['p(95)>500'])).toThrow('SLO "p(95)>500"');
    expect(() => sloFromThresholds(['p(95){GET /users}<500'])).toThrow('SLO "p(95){GET /users}<500"');
  });
});

describe('judgeSecond', () => {
  it('holds at the limits (they are inclusive) and breaks just over them', () => {
    expect(
      judgeSecond(second({ latencyMs: 500, failures: 1, achievedRps: 100, offeredRps: 100 }), SLO),
    ).toEqual({
      status: 'ok',
    });
    expect(judgeSecond(second({ latencyMs: 501 }), SLO)).toEqual({
      status: 'breach',
      breaches: [{ kind: 'latency', value: 501, limit: 500 }],
    });
    expect(judgeSecond(second({ failures: 2 }), SLO)).toEqual({
      status: 'breach',
      breaches: [{ kind: 'failures', value: 0.02, limit: 0.01 }],
    });
  });

  it('calls a second with an offer and no answer a plateau (a stall), and one with neither idle', () => {
    expect(judgeSecond(second({ achievedRps: 0, latencyMs: null }), SLO)).toEqual({
      status: 'breach',
      breaches: [{ kind: 'plateau', value: 1, limit: 0.1 }],
    });
    expect(judgeSecond(second({ offeredRps: null, achievedRps: 0, latencyMs: null }), SLO)).toEqual({
      status: 'idle',
    });
  });

  it('needs more than one missing request for a plateau, so low rates are not judged on rounding', () => {
    expect(judgeSecond(second({ offeredRps: 5, achievedRps: 4 }), SLO).status).toBe('ok');
    expect(judgeSecond(second({ offeredRps: 5, achievedRps: 3 }), SLO).status).toBe('breach');
    expect(judgeSecond(second({ offeredRps: 1000, achievedRps: 900 }), SLO).status).toBe('ok');
    expect(judgeSecond(second({ offeredRps: 1000, achievedRps: 899 }), SLO).status).toBe('breach');
  });

  it('counts drops against the offer, or against requests + drops without one', () => {
    expect(judgeSecond(second({ dropped: 1 }), SLO)).toEqual({
      status: 'breach',
      breaches: [{ kind: 'dropped', value: 0.01, limit: 0 }],
    });
    expect(judgeSecond(second({ offeredRps: null, achievedRps: 99, dropped: 1 }), SLO)).toMatchObject({
      breaches: [{ kind: 'dropped', value: 0.01 }],
    });
    expect(judgeSecond(second({ dropped: 1 }), { ...SLO, droppedRate: 0.01 }).status).toBe('ok');
  });
});
