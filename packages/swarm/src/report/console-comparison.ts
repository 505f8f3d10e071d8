import { type Comparison, type EntryComparison, METRICS } from '../compare/compare';
import { comparisonVerdict, deltaCell, rowVerdict, toleranceText } from './comparison-format';
import { table } from './format';

function row(e: EntryComparison, total: boolean): string[] {
  return [
    total ? '' : e.method,
    total ? 'Aggregated' : e.name,
    ...METRICS.map((m) => deltaCell(e.metrics[m.key], m.key)),
    rowVerdict(e),
  ];
}

/**
 * The "Compared with baseline" block of the console report (pure): per endpoint and for the totals, p50, p95
 * (ms), req/s and failure rate as `baseline → this run (change)`, a verdict per row, then the conclusion.
 *
 * @example
 * process.stdout.write(`${renderComparison(compareSummaries(base, summary), 'out/base.json')}\n`);
 */
export function renderComparison(c: Comparison, baseline: string): string {
  const head = ['Type', 'Name', 'p50 (ms)', 'p95 (ms)', 'req/s', 'failures', 'Verdict'];
  const rows = [head, ...c.endpoints.map((e) => row(e, false)), row(c.total, true)];
  const when = new Date(c.baseStartedAt).toISOString();
  return [
    `Compared with baseline ${baseline} (run of ${when}; ${toleranceText(c)})`,
    table(rows, 2),
    comparisonVerdict(c),
  ].join('\n');
}
