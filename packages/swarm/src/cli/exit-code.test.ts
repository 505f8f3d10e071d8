import { describe, expect, it } from 'vitest';
import { sampleSummary, summaryOf } from '../report/test-support';
import { verdictOf } from './exit-code';

const locust = { failOnRegression: false, exitCodeOnError: 1 };
const clean = summaryOf([1, 2, 3]);
const passed = (s: ReturnType<typeof sampleSummary>) => ({
  ...s,
  thresholds: s.thresholds.map((t) => ({ ...t, ok: true })),
});

describe('verdictOf', () => {
  it('is 0 for a run without failures, thresholds or not', () => {
    expect(verdictOf(clean, undefined, locust)).toEqual({ code: 0, reason: null });
  });

  it('is 1, as Locust’s, when a request failed or a task raised, though no threshold is set', () => {
    const s = { ...passed(sampleSummary()), thresholds: [] };
    expect(verdictOf(s, undefined, locust)).toEqual({
      code: 1,
      reason:
        '1 request failed and 1 task raised (exit 1; --exit-code-on-error sets it, 0 leaves the verdict to the thresholds)',
    });
  });

  it('takes --exit-code-on-error for that case, and 0 leaves the verdict to the thresholds', () => {
    const s = passed(sampleSummary());
    expect(verdictOf(s, undefined, { ...locust, exitCodeOnError: 3 }).code).toBe(3);
    expect(verdictOf(s, undefined, { ...locust, exitCodeOnError: 0 })).toEqual({ code: 0, reason: null });
  });

  it('is 1 when a threshold or check failed, whatever --exit-code-on-error says', () => {
    const v = verdictOf(sampleSummary(), undefined, { ...locust, exitCodeOnError: 0 });
    expect(v).toEqual({ code: 1, reason: '1 threshold or check failed' });
  });
});
