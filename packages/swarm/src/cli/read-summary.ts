import { readFileSync } from 'node:fs';
import { assertSummary } from '../stats/summary';
import type { Summary } from '../stats/summary-types';
import { UsageError } from './usage-error';

/**
 * Reads a `swarm.summary/v1` file (a `--json` report). A missing, unreadable or foreign file throws a
 * `UsageError` (exit 2) naming the file, and the flag it came from when there is one.
 *
 * @example
 * const base = readSummary('out/base.json', '--baseline');
 * // throws "--baseline: cannot read out/base.json: ENOENT: no such file or directory, ..."
 */
export function readSummary(file: string, flag?: string): Summary {
  const prefix = flag ? `${flag}: ` : '';
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${prefix}cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    assertSummary(value, file);
  } catch (err) {
    throw new UsageError(`${prefix}${(err as Error).message}`);
  }
  return value;
}
