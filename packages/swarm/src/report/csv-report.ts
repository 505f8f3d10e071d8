import { createHistogram, decodeHistogram, percentileMs, rangeOf } from '../stats/histogram';
import type { EntrySummary, Summary } from '../stats/summary-types';
import { PERCENTILES } from '../stats/summary-types';
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
 * row per second with that second's percentiles and the run's totals so far, average content size included),
 * `PREFIX_failures.csv` and `PREFIX_exceptions.csv` (Count, Message, Traceback, Nodes). Returns file name →
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
  // Locust's history columns: the second's own percentiles, then the run's totals so far (from a histogram that
  // accumulates the seconds, so its median and average are exact to the histogram's precision; min and max are
  // the exact extremes of the seconds, so the last row's max is the stats' Max).
  const sofar = createHistogram();
  let requests = 0;
  let failures = 0;
  let bytes = 0;
  let extremesKnown = true;
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  const history = [
    csvLine([
      'Timestamp',
      'User Count',
      'Type',
      'Name',
      'Requests/s',
      'Failures/s',
      ...PCT_HEADERS,
      'Total Request Count',
      'Total Failure Count',
      'Total Median Response Time',
      'Total Average Response Time',
      'Total Min Response Time',
      'Total Max Response Time',
      'Total Average Content Size',
    ]),
    ...s.timeSeries.map((p) => {
      requests += p.requests;
      failures += p.failures;
      bytes += p.bytes ?? 0;
      const second = decodeHistogram(p.hist);
      sofar.add(second);
      const range = rangeOf(p);
      if (range !== null) {
        minMs = Math.min(minMs, range.minMs);
        maxMs = Math.max(maxMs, range.maxMs);
      } else if (p.requests > 0) {
        extremesKnown = false; // a summary written before seconds kept their extremes
      }
      const total = extremesKnown ? rangeOf({ minMs, maxMs }) : null;
      const empty = sofar.totalCount === 0;
      return csvLine([
        p.t,
        p.users,
        '',
        'Aggregated',
        p.requests,
        p.failures,
        ...PERCENTILES.map((q) => percentileMs(second, q, range)),
        requests,
        failures,
        percentileMs(sofar, 50, total),
        empty ? 0 : Math.round(sofar.mean) / 1000,
        empty ? 0 : (total?.minMs ?? sofar.minNonZeroValue / 1000),
        empty ? 0 : (total?.maxMs ?? sofar.maxValue / 1000),
        // Summaries written before seconds kept their bytes give 0 here.
        requests === 0 ? 0 : Math.round(bytes / requests),
      ]);
    }),
  ];
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
  return {
    [`${prefix}_stats.csv`]: file(stats),
    [`${prefix}_stats_history.csv`]: file(history),
    [`${prefix}_failures.csv`]: file(failuresCsv),
    [`${prefix}_exceptions.csv`]: file(exceptions),
  };
}
