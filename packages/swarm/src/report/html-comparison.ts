import { type Comparison, type EntryComparison, METRICS } from '../compare/compare';
import { comparisonVerdict, deltaCell, rowVerdict, toleranceText } from './comparison-format';
import { type Cell, esc, htmlTable, section } from './html-parts';

function row(e: EntryComparison, total: boolean): Cell[] {
  const metrics: Cell[] = METRICS.map(({ key }) => {
    const text = esc(deltaCell(e.metrics[key], key));
    return e.metrics[key].regressed ? { html: `<span class="fail">${text}</span>` } : text;
  });
  const verdict = rowVerdict(e);
  return [
    total ? '' : e.method,
    total ? 'Aggregated' : e.name,
    ...metrics,
    e.regressions.length > 0 ? { html: `<span class="fail">${esc(verdict)}</span>` } : verdict,
  ];
}

/**
 * The "Compared with baseline" section of the HTML report (pure): the console's comparison table, with the
 * regressed cells and rows marked. `baseline` names the baseline (its file) and is escaped.
 *
 * @example
 * comparisonSection(compareSummaries(base, summary), 'base.json');
 */
export function comparisonSection(c: Comparison, baseline: string): string {
  const head = ['Type', 'Name', 'p50 (ms)', 'p95 (ms)', 'req/s', 'failures', 'Verdict'];
  const rows = [...c.endpoints.map((e) => row(e, false)), row(c.total, true)];
  const cls = c.regressionCount === 0 ? 'pass' : 'fail';
  const intro =
    `<p>Baseline <code>${esc(baseline)}</code> (run of ${esc(new Date(c.baseStartedAt).toISOString())}): ` +
    `<span class="${cls}" id="comparison-verdict">${esc(comparisonVerdict(c))}</span></p>`;
  return section(
    'comparison',
    'Compared with baseline',
    // Left-aligned throughout: the cells are `a → b (change)` text, and marked cells would not align right anyway.
    intro + htmlTable(head, rows, head.length, 'comparison-table'),
    `Each cell: baseline → this run (change); ${toleranceText(c)}.`,
  );
}
