import type { EntrySummary, Summary } from '../stats/summary-types';
import { PERCENTILES } from '../stats/summary-types';
import { historyLines } from './csv-history';
import { csvLine } from './format';

const PCT_HEADERS = PERCENTILES.map((p) => `${p}%`);

function statsLine(e: EntrySummary, total: boolean): string {
  return csvLine([
    total ? '' : e.method,
    total ? 'Aggregated' : e.name,
    e.requests,
    e.failures,
    e.medianMs,
    e.avgMs,
    e.minMs,
    e.maxMs,
    e.avgBytes,
    e.rps,
    e.failRps,
    ...PERCENTILES.map((p) => e.percentiles[String(p)] ?? 0),
  ]);
}

/**
 * The `--csv PREFIX` files as Locust writes them (pure): `PREFIX_stats.csv`, `PREFIX_stats_history.csv` (one
 * row per second with that second's percentiles and the run's totals so far, average content size included; with
 * the per-endpoint series of `--csv-full-history`, a row per endpoint each second before it, see `historyLines`),
 * `PREFIX_failures.csv` and `PREFIX_exceptions.csv` (Count, Message, Traceback, Nodes); with thresholds,
 * `PREFIX_thresholds.csv` (Verdict, Threshold, Actual, Message). Returns file name →
 * content.
 *
 * @example
 * for (const [file, text] of Object.entries(renderCsv(summary, 'out/run'))) writeFileSync(file, text);
 */
export function renderCsv(s: Summary, prefix: string): Record<string, string> {
  const stats = [
    csvLine([
      'Type',
      'Name',
      'Request Count',
      'Failure Count',
      'Median Response Time',
      'Average Response Time',
      'Min Response Time',
      'Max Response Time',
      'Average Content Size',
      'Requests/s',
      'Failures/s',
      ...PCT_HEADERS,
    ]),
    ...s.endpoints.map((e) => statsLine(e, false)),
    statsLine(s.total, true),
  ];
  const history = historyLines(s);
  const failuresCsv = [
    csvLine(['Method', 'Name', 'Error', 'Occurrences']),
    ...s.errors.map((e) => csvLine([e.method, e.name, e.error, e.occurrences])),
  ];
  // Locust's columns. The traceback is the first occurrence's stack, under the task it came from; the nodes are
  // where it happened: `local`, or the segments of a merged run.
  const exceptions = [
    csvLine(['Count', 'Message', 'Traceback', 'Nodes']),
    ...s.exceptions.map((x) =>
      csvLine([
        x.count,
        x.message,
        `in task ${x.task}${x.traceback ? `\n${x.traceback}` : ''}`,
        (x.nodes ?? [s.config.segment ?? 'local']).join(', '),
      ]),
    ),
  ];
  const file = (lines: string[]) => `${lines.join('\n')}\n`;
  // Not Locust's: the verdict of each threshold and check, so a CSV-only pipeline sees what failed and why.
  const thresholds = [
    csvLine(['Verdict', 'Threshold', 'Actual', 'Message']),
    ...s.thresholds.map((t) =>
      csvLine([t.ok ? 'PASS' : 'FAIL', t.expression, t.actual ?? '', t.message ?? '']),
    ),
  ];
  return {
    [`${prefix}_stats.csv`]: file(stats),
    [`${prefix}_stats_history.csv`]: file(history),
    [`${prefix}_failures.csv`]: file(failuresCsv),
    [`${prefix}_exceptions.csv`]: file(exceptions),
    ...(s.thresholds.length > 0 && { [`${prefix}_thresholds.csv`]: file(thresholds) }),
  };
}
