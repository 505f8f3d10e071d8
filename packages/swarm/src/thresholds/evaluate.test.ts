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

  it('judges the open model’s dropped iterations: a count and a share of the iterations due', () => {
    const open = { ...summary(), iterations: 990, dropped: 10 };
    open.config = { ...open.config, rate: 100 };
    const [count, rate, strict] = evaluateThresholds(open, [
      parseThreshold('dropped<=10'),
      parseThreshold('dropped_rate<0.01'),
      parseThreshold('dropped==0'),
    ]);
    expect(count).toEqual({ expression: 'dropped<=10', actual: 10, ok: true });
    expect(rate).toEqual({ expression: 'dropped_rate<0.01', actual: 0.01, ok: false });
    expect(strict).toMatchObject({ actual: 10, ok: false });
    // The closed model has no arrivals to drop: the threshold has no data.
    expect(check('dropped==0')).toEqual({ expression: 'dropped==0', actual: null, ok: false });
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

describe('series and cache metrics', () => {
  const config = summary().config;
  // 20 seconds: the first 5 cold (MISS, 10 ms), then warm (HIT, 2 ms) with one MISS a second; a slow last 5 s.
  function run() {
    const s = new RequestStats(T0);
    for (let sec = 0; sec < 20; sec++) {
      const time = T0 + sec * 1000 + 500;
      for (let i = 0; i < 10; i++) {
        const cold = sec < 5 || i === 0;
        const ms = sec >= 15 ? 30 : cold ? 10 : 2;
        s.record(ev({ time, ms, cache: cold ? 'MISS' : 'HIT', instance: `app${1 + (i % 3)}` }));
      }
      s.tick(time + 500, 1);
    }
    s.finish(T0 + 20_000, 1);
    return toSummary(s, { config });
  }
  const value = (expr: string) => evaluateThresholds(run(), [parseThreshold(expr)])[0]!;

  it('counts the replicas that served', () => {
    expect(value('instances>=3')).toMatchObject({ actual: 3, ok: true });
  });

  it('compares the HIT median with the MISS median', () => {
    expect(value('cache_p50_ratio<1')).toMatchObject({ ok: true });
    expect(value('cache_p50_ratio<1').actual).toBeCloseTo(2 / 10, 2);
  });

  it('leaves the warm-up out of warm_hit_ratio', () => {
    // Whole run: 135 HIT of 200 lookups; after 5 s: 135 of 150.
    expect(value('hit_ratio>0').actual).toBeCloseTo(135 / 200, 5);
    expect(value('warm_hit_ratio(5)>=0.9')).toMatchObject({ actual: 135 / 150, ok: true });
  });

  it('compares the p95 of the last window with the first', () => {
    const r = value('recovery_p95_ratio(5)<2');
    expect(r.ok).toBe(false);
    expect(r.actual).toBeCloseTo(30 / 10, 1);
  });

  it('rejects a series metric on one endpoint and a window of 0', () => {
    expect(() => parseThreshold('warm_hit_ratio(5){/x}>0.9')).toThrow(/totals only/);
    expect(() => parseThreshold('recovery_p95_ratio(0)<2')).toThrow(/S > 0/);
  });
});
