import { describe, expect, it } from 'vitest';
import { parseRunArgs } from './run-args';
import { runSettings } from './run-settings';
import type { LoadedScenario } from './scenario';

const scenario = (thresholds: string[] = []): LoadedScenario => ({
  classes: [],
  options: { thresholds },
  shape: undefined,
});

describe('runSettings', () => {
  it('keeps the per-endpoint history when asked, or when a threshold judges one row over the fault windows', () => {
    const history = (argv: string[], s = scenario()) =>
      runSettings(parseRunArgs(['load.ts', ...argv]), s).options.endpointHistory;
    expect(history([])).toBe(false);
    expect(history(['--csv', 'out/run', '--csv-full-history'])).toBe(true);
    expect(history(['--threshold', 'fault_p95_ratio<1.5'])).toBe(false); // the totals' series suffices
    expect(history(['--threshold', 'fault_p95_ratio{GET /x}<1.5'])).toBe(true);
    expect(history([], scenario(['fault_p95_ratio{/x}<1.5']))).toBe(true);
  });
});
