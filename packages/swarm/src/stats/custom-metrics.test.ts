import { describe, expect, it } from 'vitest';
import { evaluateThresholds } from '../thresholds/evaluate';
import { parseThreshold } from '../thresholds/parse';
import { CustomMetrics, mergeMetrics } from './custom-metrics';
import { RequestStats } from './request-stats';
import { toSummary } from './summary';

describe('CustomMetrics', () => {
  it('counts by name, declared names starting at 0', () => {
    const m = new CustomMetrics(['stale_reads', 'lost_writes']);
    m.add('stale_reads');
    m.add('stale_reads', 2);
    m.add('extra', 0.5);
    expect(m.snapshot()).toEqual({ extra: 0.5, lost_writes: 0, stale_reads: 3 });
  });

  it('refuses names a threshold could not name, and counts that are not numbers', () => {
    expect(() => new CustomMetrics(['bad name'])).toThrow(/options.metrics: metric name "bad name"/);
    expect(() => new CustomMetrics().add('x', Number.NaN)).toThrow(/finite number/);
  });

  it('merges by addition', () => {
    expect(mergeMetrics([{ a: 1 }, { a: 2, b: 0 }, undefined])).toEqual({ a: 3, b: 0 });
  });
});

describe('thresholds on custom metrics', () => {
  const summary = {
    ...toSummary(new RequestStats(0), {
      nowMs: 1000,
      config: {
        host: '',
        users: 1,
        spawnRate: 1,
        rate: null,
        runTimeS: 1,
        processes: 1,
        segment: null,
        instanceHeader: 'x-instance',
        userClasses: [],
      },
    }),
    metrics: { lost_writes: 3, stale_reads: 0 },
  };
  const judge = (expr: string) => evaluateThresholds(summary, [parseThreshold(expr)])[0]!;

  it('judges a declared or recorded counter, 0 included', () => {
    expect(judge('stale_reads==0')).toEqual({ expression: 'stale_reads==0', actual: 0, ok: true });
    expect(judge('lost_writes==0')).toEqual({ expression: 'lost_writes==0', actual: 3, ok: false });
  });

  it('fails a counter nobody declared nor recorded, saying so', () => {
    const r = judge('lost_write==0');
    expect(r).toMatchObject({ actual: null, ok: false });
    expect(r.message).toMatch(/^no metric named lost_write: .*\(this run has lost_writes, stale_reads\)/);
  });
});
