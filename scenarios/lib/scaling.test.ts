import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapacity, replicasMax, scalingVerdict } from './scaling';

describe('replicasMax', () => {
  it('is 3 unless REPLICAS_MAX says otherwise, and names the setting when it is not a count', () => {
    expect(replicasMax(undefined)).toBe(3);
    expect(replicasMax('')).toBe(3);
    expect(replicasMax('2')).toBe(2);
    for (const bad of ['0', '2.5', 'three', '17'])
      expect(() => replicasMax(bad)).toThrow(
        `REPLICAS_MAX must be a whole number from 1 to 16 (got "${bad}")`,
      );
  });
});

describe('scalingVerdict', () => {
  const step = (n: number, written: boolean, exitCode = 0) => ({
    n,
    dir: `replicas-${n}`,
    exitCode,
    capacity: written ? ({} as never) : null,
  });

  it('passes when every step wrote capacity.json, whatever its own exit code', () => {
    expect(scalingVerdict([step(1, true), step(2, true, 1)])).toBe(0);
  });

  it('takes the worst code of the steps without capacity.json, and fails a run with no step', () => {
    expect(scalingVerdict([step(1, true), step(2, false, 2), step(3, false, 143)])).toBe(143);
    expect(scalingVerdict([step(1, false, 0)])).toBe(1);
    expect(scalingVerdict([])).toBe(1);
  });
});

describe('readCapacity', () => {
  it('reads a capacity.json, and is null for a missing or broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scaling-'));
    try {
      writeFileSync(join(dir, 'ok.json'), '{"schema":"swarm.capacity/v1","reached":true}');
      writeFileSync(join(dir, 'bad.json'), '{');
      expect(readCapacity(join(dir, 'ok.json'))).toMatchObject({ reached: true });
      expect(readCapacity(join(dir, 'bad.json'))).toBeNull();
      expect(readCapacity(join(dir, 'none.json'))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
