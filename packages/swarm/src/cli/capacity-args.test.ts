import { describe, expect, it } from 'vitest';
import { parseAbortOn, parseRateFlag } from './capacity-args';
import { parseRunArgs } from './run-args';

describe('--rate', () => {
  it('reads one rate as the constant open model', () => {
    expect(parseRateFlag('200/s')).toEqual({ rate: 200 });
    expect(parseRateFlag('600/m')).toEqual({ rate: 10 });
  });

  it('reads RATE:DURATION stages as a ramp (k6 ramping-arrival-rate)', () => {
    expect(parseRateFlag('50/s:0s,3000/s:1m30s')).toEqual({
      stages: [
        { duration: 0, target: 50 },
        { duration: 90, target: 3000 },
      ],
    });
    const args = parseRunArgs(['s.ts', '--rate', '10/s:10s,200/s:60s']);
    expect(args.rate).toBeUndefined();
    expect(args.rateStages).toHaveLength(2);
  });

  it('names the flag and the syntax for a bad stage', () => {
    expect(() => parseRateFlag('50/s:soon')).toThrow(/--rate: stage 1 "50\/s:soon" is not RATE:DURATION/);
    expect(() => parseRateFlag('0/s:10s')).toThrow(/every stage has a rate of 0/);
    expect(() => parseRateFlag('fast')).toThrow(/--rate: "fast" is not a rate/);
  });
});

describe('--abort-on', () => {
  it('reads an SLO in threshold syntax, commas or repeated', () => {
    expect(parseAbortOn(['p(95)<200,rate<0.05'])).toMatchObject({
      percentile: 95,
      latencyMs: 200,
      failureRate: 0.05,
    });
    expect(parseAbortOn(['p(99)<800', 'dropped_rate<0.01'])).toMatchObject({
      percentile: 99,
      droppedRate: 0.01,
    });
  });

  it('needs a latency percentile, and --capacity-json needs it', () => {
    expect(() => parseAbortOn(['rate<0.01'])).toThrow(/--abort-on: SLO needs a latency percentile/);
    expect(() => parseRunArgs(['s.ts', '--capacity-json', 'c.json'])).toThrow(
      /--capacity-json needs --abort-on/,
    );
  });
});
