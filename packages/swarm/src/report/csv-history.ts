import { createHistogram, decodeHistogram, percentileMs, rangeOf } from '../stats/histogram';
import type { EndpointPoint, Summary, TimePoint } from '../stats/summary-types';
import { PERCENTILES } from '../stats/summary-types';
import { csvLine } from './format';

export const HISTORY_HEADER = csvLine([
  'Timestamp',
  'User Count',
  'Type',
  'Name',
  'Requests/s',
  'Failures/s',
  ...PERCENTILES.map((p) => `${p}%`),
  'Total Request Count',
  'Total Failure Count',
  'Total Median Response Time',
  'Total Average Response Time',
  'Total Min Response Time',
  'Total Max Response Time',
  'Total Average Content Size',
]);

/** One second of a row, as the history needs it (a `TimePoint` of the totals or an `EndpointPoint`). */
type Second = Pick<TimePoint, 't' | 'requests' | 'failures' | 'bytes' | 'hist' | 'minMs' | 'maxMs'>;

/**
 * Locust's history columns of one row over the seconds: the second's own percentiles, then the row's totals so far
 * (from a histogram that accumulates the seconds, so its median and average are exact to the histogram's
 * precision; min and max are the exact extremes of the seconds, so the last line's max is the stats' Max).
 */
class RunningRow {
  private readonly sofar = createHistogram();
  private requests = 0;
  private failures = 0;
  private bytes = 0;
  private extremesKnown = true;
  private minMs = Number.POSITIVE_INFINITY;
  private maxMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly type: string,
    private readonly name: string,
  ) {}

  /** The CSV line of second `p`, its totals so far included. */
  line(p: Second, users: number): string {
    this.requests += p.requests;
    this.failures += p.failures;
    this.bytes += p.bytes ?? 0;
    const second = decodeHistogram(p.hist);
    this.sofar.add(second);
    const range = rangeOf(p);
    if (range !== null) {
      this.minMs = Math.min(this.minMs, range.minMs);
      this.maxMs = Math.max(this.maxMs, range.maxMs);
    } else if (p.requests > 0) {
      this.extremesKnown = false; // a summary written before seconds kept their extremes
    }
    const total = this.extremesKnown ? rangeOf({ minMs: this.minMs, maxMs: this.maxMs }) : null;
    const empty = this.sofar.totalCount === 0;
    return csvLine([
      p.t,
      users,
      this.type,
      this.name,
      p.requests,
      p.failures,
      ...PERCENTILES.map((q) => percentileMs(second, q, range)),
      this.requests,
      this.failures,
      percentileMs(this.sofar, 50, total),
      empty ? 0 : Math.round(this.sofar.mean) / 1000,
      empty ? 0 : (total?.minMs ?? this.sofar.minNonZeroValue / 1000),
      empty ? 0 : (total?.maxMs ?? this.sofar.maxValue / 1000),
      // Summaries written before seconds kept their bytes give 0 here.
      this.requests === 0 ? 0 : Math.round(this.bytes / this.requests),
    ]);
  }
}

/**
 * The lines of `_stats_history.csv` (pure), header first: one Aggregated line per second and, when the summary
 * has the per-endpoint series (`--csv-full-history`), before it a line for each row that had requests that second,
 * as Locust's full history has them.
 *
 * @example
 * historyLines(summary); // ['"Timestamp","User Count",...', '1700000000,3,"","Aggregated",...']
 */
export function historyLines(s: Summary): string[] {
  const aggregated = new RunningRow('', 'Aggregated');
  const rows = new Map<string, RunningRow>();
  const bySecond = new Map<number, EndpointPoint[]>();
  for (const p of s.endpointSeries ?? []) {
    const list = bySecond.get(p.t);
    if (list === undefined) bySecond.set(p.t, [p]);
    else list.push(p);
  }
  const lines = [HISTORY_HEADER];
  for (const p of s.timeSeries) {
    for (const e of bySecond.get(p.t) ?? []) {
      const key = `${e.method}\u0000${e.name}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = new RunningRow(e.method, e.name);
        rows.set(key, row);
      }
      lines.push(row.line(e, p.users));
    }
    lines.push(aggregated.line(p, p.users));
  }
  return lines;
}
