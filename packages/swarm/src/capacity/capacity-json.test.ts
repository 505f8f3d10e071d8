import { describe, expect, it } from 'vitest';
import { attributeSaturation } from './attribution';
import { CAPACITY_SCHEMA, capacityJson } from './capacity-json';
import { findKnee } from './knee';
import { hockeyStick, ramp, T0 } from './test-support';

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
