import { describe, expect, it } from 'vitest';
import { RequestStats } from '../stats/request-stats';
import { toSummary } from '../stats/summary';
import { requestEvent as ev } from '../stats/test-support';
import { evaluateThresholds, instanceSkew } from './evaluate';
import { parseThreshold } from './parse';

const T0 = 1_700_000_000_000;

function summary() {
  const s = new RequestStats(T0);
  for (let i = 1; i <= 100; i++) {
    s.record(ev({ name: '/a', ms: i, instance: i % 2 ? 'one' : 'two', cache: i <= 90 ? 'HIT' : 'MISS' }));
  }
  for (let i = 0; i < 10; i++)
    s.record(ev({ method: 'POST', name: '/a', ms: 1000, error: i < 5 ? 'HTTP 500' : null }));
  s.record(ev({ name: '/b', ms: 5, instance: 'one' }));
  s.finish(T0 + 10_000, 1);
  return toSummary(s, {
    config: {
      host: '',
      users: 1,
      spawnRate: 1,
      rate: null,
      runTimeS: 10,
      processes: 1,
      segment: null,
      instanceHeader: 'x-instance',
      userClasses: [],
    },
  });
}

const check = (expr: string) => evaluateThresholds(summary(), [parseThreshold(expr)])[0]!;

describe('evaluateThresholds', () => {
  it('reads total percentiles, averages and failure rate with their actual values', () => {
    const p50 = check('p(50){GET /a}<=50.1');
    expect(p50).toMatchObject({ expression: 'p(50){GET /a}<=50.1', ok: true });
    expect(p50.actual).toBeCloseTo(50, 1);
    expect(check('max<1000').ok).toBe(false);
    expect(check('max<=1000').actual).toBe(1000);
    expect(check('rate<0.05')).toMatchObject({ actual: 5 / 111, ok: true });
    expect(check('rate{POST /a}<0.1')).toMatchObject({ actual: 0.5, ok: false });
    expect(check('count==111').ok).toBe(true);
  });

  it('merges every method of a name when the selector has no method', () => {
    expect(check('count{/a}==110').ok).toBe(true);
    expect(check('max{/a}>=1000').ok).toBe(true);
  });

  it('computes hit ratio and instance skew', () => {
    expect(check('hit_ratio>0.89')).toMatchObject({ actual: 0.9, ok: true });
    // one: 50 + 1, two: 50 → even 50.5, skew 0.5/50.5.
    expect(check('instance_skew<0.01')).toMatchObject({ actual: 0.5 / 50.5, ok: true });
  });

  it('fails a threshold it cannot measure, with actual null', () => {
    expect(check('p(95){GET /missing}<100')).toEqual({
      expression: 'p(95){GET /missing}<100',
      actual: null,
      ok: false,
    });
    expect(check('hit_ratio{/b}>0.5')).toMatchObject({ actual: null, ok: false });
  });

  it('reads percentiles outside the reported columns from the histogram', () => {
    const p42 = check('p(42){GET /a}<=42.1');
    expect(p42.ok).toBe(true);
    expect(p42.actual).toBeCloseTo(42, 1);
  });
});

describe('instanceSkew', () => {
  it('is 0 for an even spread and grows with the imbalance', () => {
    expect(instanceSkew({ a: 10, b: 10, c: 10 })).toBe(0);
    expect(instanceSkew({ a: 20, b: 10, c: 0 })).toBe(1);
    expect(instanceSkew({})).toBeNull();
  });
});
