import { describe, expect, it } from 'vitest';
import { attributeSaturation } from './attribution';
import { CAPACITY_SCHEMA, capacityJson, SCALING_SCHEMA, scalingJson } from './capacity-json';
import { findKnee } from './knee';
import { hockeyStick, ramp, T0 } from './test-support';
import { fitUsl } from './usl';

describe('capacityJson', () => {
  it('is versioned, carries the knee, the break and the saturation, and survives JSON', () => {
    const r = findKnee(ramp(60, hockeyStick), { latencyMs: 250 });
    const sat = attributeSaturation([
      {
        name: 'process_cpu_cores',
        labels: { instance: 'app1' },
        points: [
          [T0 + 44, 0.95],
          [T0 + 45, 0.95],
        ],
      },
    ]);
    const json = capacityJson(r, sat);
    expect(json).toMatchObject({
      schema: 'swarm.capacity/v1',
      rateBasis: 'offered',
      startT: T0,
      reached: true,
      knee: { rps: 920 },
      break: { t: T0 + 46, breaches: [{ kind: 'latency' }] },
      noisySeconds: 0,
      trailingSeconds: 0,
      saturation: { verdict: 'stack', first: { t: T0 + 44 } },
    });
    expect(json.schema).toBe(CAPACITY_SCHEMA);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('says "not reached" with reached false, and null saturation without server series', () => {
    const json = capacityJson(findKnee(ramp(30), { latencyMs: 250 }));
    expect(json).toMatchObject({ reached: false, break: null, saturation: null });
    expect(json.note).toMatch(/^not reached/);
  });
});

describe('scalingJson', () => {
  it('is versioned, keeps the measurements, and writes an unbounded peak as null (JSON has no Infinity)', () => {
    const points = [
      { n: 1, capacity: 1000 },
      { n: 2, capacity: 1900 },
    ];
    const json = scalingJson(points, fitUsl(points));
    expect(json).toMatchObject({
      schema: SCALING_SCHEMA,
      model: 'usl',
      measurements: points,
      kappa: 0,
      kappaFixed: true,
      peakN: null,
    });
    expect(json.peakCapacity).toBeCloseTo(19_000, 6);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const linear = [...points.slice(0, 1), { n: 2, capacity: 2000 }];
    expect(scalingJson(linear, fitUsl(linear))).toMatchObject({ peakN: null, peakCapacity: null });
  });

  it('carries the measured machine’s fit: peak at N = 1, efficiency per N', () => {
    const points = [
      { n: 1, capacity: 13_300 },
      { n: 2, capacity: 9_100 },
      { n: 3, capacity: 8_100 },
    ];
    const json = scalingJson(points, fitUsl(points));
    expect(json.schema).toBe('swarm.scaling/v1');
    expect(json.peakN).toBe(1);
    expect(json.perN.map((x) => x.n)).toEqual([1, 2, 3]);
  });
});
