import { describe, expect, it } from 'vitest';
import { parseCompareFlags } from './compare-flags';

describe('parseCompareFlags', () => {
  it('reads percentages with or without % and the floor with or without ms', () => {
    expect(
      parseCompareFlags({ tolerance: '20%', 'failure-tolerance': '2.5', 'latency-floor': '5ms' }),
    ).toEqual({
      options: { tolerance: 0.2, failureTolerance: 0.025, latencyFloorMs: 5 },
      failOnRegression: false,
      given: true,
    });
  });

  it('leaves the defaults to the comparison when nothing is given', () => {
    expect(parseCompareFlags({})).toEqual({ options: {}, failOnRegression: false, given: false });
    expect(parseCompareFlags({ 'fail-on-regression': true }).given).toBe(true);
  });

  it('names the flag and the value it cannot read', () => {
    expect(() => parseCompareFlags({ tolerance: '-5%' })).toThrow('--tolerance: "-5%" is not a percentage');
    expect(() => parseCompareFlags({ 'failure-tolerance': 'x' })).toThrow('--failure-tolerance: "x"');
    expect(() => parseCompareFlags({ 'latency-floor': 'soon' })).toThrow(
      '--latency-floor: "soon" is not a number of ms ≥ 0',
    );
    expect(() => parseCompareFlags({ 'latency-floor': '' })).toThrow('--latency-floor');
  });
});
