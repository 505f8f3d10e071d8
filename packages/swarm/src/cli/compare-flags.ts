import { COMPARE_DEFAULTS, type CompareOptions } from '../compare/compare';
import { UsageError } from './usage-error';

/** The flags that tune a comparison, shared by `swarm compare` and `swarm run --baseline` (for `parseArgs`). */
export const COMPARE_FLAGS = {
  tolerance: { type: 'string' },
  'failure-tolerance': { type: 'string' },
  'latency-floor': { type: 'string' },
  'fail-on-regression': { type: 'boolean' },
} as const;

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

export const COMPARE_FLAGS_USAGE = `      --tolerance P        flag latency up or req/s down by more than P (default ${pct(COMPARE_DEFAULTS.tolerance)})
      --failure-tolerance P  flag a failure rate up by more than P points (default ${pct(COMPARE_DEFAULTS.failureTolerance)})
      --latency-floor MS   ignore latency changes smaller than MS ms (default ${COMPARE_DEFAULTS.latencyFloorMs})
      --fail-on-regression exit 1 when a regression is flagged`;

export interface CompareFlags {
  options: CompareOptions;
  failOnRegression: boolean;
  /** Whether any of these flags was given (they mean nothing without a baseline). */
  given: boolean;
}

/** `10%` or `10` → 0.1; anything else, or a negative value, is a usage error naming the flag. */
function percent(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  if (m === null) throw new UsageError(`${flag}: "${text}" is not a percentage; use e.g. 10% or 2.5%`);
  return Number(m[1]) / 100;
}

/**
 * Validates the comparison flags from `parseArgs` values. Omitted flags keep `COMPARE_DEFAULTS`.
 *
 * @example
 * parseCompareFlags({ tolerance: '20%', 'fail-on-regression': true }).options; // { tolerance: 0.2 }
 */
export function parseCompareFlags(v: {
  tolerance?: string;
  'failure-tolerance'?: string;
  'latency-floor'?: string;
  'fail-on-regression'?: boolean;
}): CompareFlags {
  const options: CompareOptions = {};
  const tolerance = percent('--tolerance', v.tolerance);
  if (tolerance !== undefined) options.tolerance = tolerance;
  const failureTolerance = percent('--failure-tolerance', v['failure-tolerance']);
  if (failureTolerance !== undefined) options.failureTolerance = failureTolerance;
  if (v['latency-floor'] !== undefined) {
    const floor = Number(v['latency-floor'].replace(/ms$/, ''));
    if (v['latency-floor'].trim() === '' || !Number.isFinite(floor) || floor < 0) {
      throw new UsageError(`--latency-floor: "${v['latency-floor']}" is not a number of ms ≥ 0`);
    }
    options.latencyFloorMs = floor;
  }
  const failOnRegression = v['fail-on-regression'] === true;
  const given =
    failOnRegression ||
    v.tolerance !== undefined ||
    v['failure-tolerance'] !== undefined ||
    v['latency-floor'] !== undefined;
  return { options, failOnRegression, given };
}
