import { describe, expect, it } from 'vitest';
import { clientWithinQuota, quotaPerSecond, replicasWithinQuota } from './quota-check';

describe('quotaPerSecond', () => {
  it('reads nginx rates per second and per minute, and off', () => {
    expect(quotaPerSecond('10r/s')).toBe(10);
    expect(quotaPerSecond('600r/m')).toBe(10);
    expect(quotaPerSecond('0')).toBeNull();
    expect(quotaPerSecond(undefined)).toBeNull();
    expect(quotaPerSecond('fast')).toBeNull();
  });
});

describe('clientWithinQuota', () => {
  const endpoints = [
    { method: 'GET', name: '/api/users/:id [eager]', requests: 1914, throttled: 1500 },
    { method: 'GET', name: '/api/users/:id [polite]', requests: 400, throttled: 1 },
  ];

  it('holds when requests less 429s stay within 1 + burst + rate x seconds', () => {
    expect(clientWithinQuota(endpoints, 'GET /api/users/:id [eager]', 40, 10, 20)).toMatchObject({
      passed: 414,
      allowed: 421,
      ok: true,
    });
  });

  it('fails when more passed than the quota allows, by how much', () => {
    const r = clientWithinQuota(endpoints, 'GET /api/users/:id [polite]', 30, 10, 20);
    expect(r).toMatchObject({ passed: 399, allowed: 321, worstExcess: 78, ok: false });
  });

  it('counts nothing for a row the run does not have', () => {
    expect(clientWithinQuota(endpoints, 'GET /nope', 40, 10, 20)).toMatchObject({ passed: 0, ok: true });
  });
});

describe('replicasWithinQuota', () => {
  const sec = (requests: number, served: number) => ({ requests, instances: { app1: served } });

  it('holds when the replicas saw the bursts and then the rate, from the first second with requests', () => {
    const series = [sec(0, 0), sec(100, 42), sec(100, 20), sec(100, 20)];
    expect(replicasWithinQuota(series, 2, 10, 20)).toMatchObject({ passed: 82, allowed: 102, ok: true });
  });

  it('fails on the second the replicas saw more than every client’s bucket allowed', () => {
    const series = [sec(100, 70), sec(100, 40), sec(100, 0)];
    const r = replicasWithinQuota(series, 2, 10, 20);
    expect(r.ok).toBe(false);
    expect(r.worstExcess).toBe(28); // 110 by second 2, 2 x (1 + 20 + 10 x 2) = 82 allowed
  });
});
