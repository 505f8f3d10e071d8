import type { Summary } from '../stats/summary-types';

/**
 * The `--json` report: the summary itself, schema `swarm.summary/v1` (see README), pretty-printed. The same file
 * is what `swarm merge` reads back.
 *
 * @example
 * writeFileSync('run.json', renderJson(summary));
 */
export function renderJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
