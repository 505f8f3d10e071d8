import type { Comparison, EntryComparison, MetricDelta, MetricName } from '../compare/compare';
import { fmtMs, fmtPercent, fmtRate } from './format';

/**
 * Text shared by the console and HTML renderings of a comparison (pure), so both say the same thing the same way.
 */

function side(v: number | null, key: MetricName): string {
  if (v === null) return '-';
  if (key === 'rps') return fmtRate(v);
  if (key === 'failRate') return fmtPercent(v);
  return fmtMs(v);
}

function change(m: MetricDelta, key: MetricName): string {
  if (m.base === null || m.current === null) return '';
  if (key === 'failRate') {
    const pt = Math.round((m.change ?? 0) * 1000) / 10;
    return ` (${pt >= 0 ? '+' : ''}${pt.toFixed(1)} pt)`;
  }
  if (m.change === null) return ' (new)';
  const pct = Math.round(m.change * 1000) / 10;
  return ` (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`;
}

/**
 * One metric as `base → current (change)`: ms for latency, req/s, percent for the failure rate (its change in
 * percentage points).
 *
 * @example
 * deltaCell({ base: 20, current: 25, change: 0.25, regressed: true }, 'p95'); // '20 → 25 (+25.0%)'
 */
export function deltaCell(m: MetricDelta, key: MetricName): string {
  return `${side(m.base, key)} → ${side(m.current, key)}${change(m, key)}`;
}

/** The verdict of one row: `added`, `removed`, `REGRESSED: p95, req/s` or `ok`. */
export function rowVerdict(e: EntryComparison): string {
  if (e.status !== 'both') return e.status;
  return e.regressions.length === 0 ? 'ok' : `REGRESSED: ${e.regressions.join(', ')}`;
}

/** The tolerances in words, e.g. `latency +10% (and +1 ms), req/s −10%, failure rate +1.0 pt`. */
export function toleranceText(c: Comparison): string {
  const o = c.options;
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  return (
    `flagged beyond: latency +${pct(o.tolerance)} (and +${o.latencyFloorMs} ms), req/s −${pct(o.tolerance)}, ` +
    `failure rate +${(Math.round(o.failureTolerance * 1000) / 10).toFixed(1)} pt`
  );
}

/** The one-line conclusion: how many regressions, or none. */
export function comparisonVerdict(c: Comparison): string {
  if (c.regressionCount === 0) return 'No regression beyond the tolerance.';
  const rows = [...c.endpoints, c.total].filter((e) => e.regressions.length > 0).length;
  return `${c.regressionCount} regression${c.regressionCount === 1 ? '' : 's'} in ${rows} row${rows === 1 ? '' : 's'}.`;
}
