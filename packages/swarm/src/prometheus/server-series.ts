import { setTimeout as delay } from 'node:timers/promises';
import type { ServerSummary, Summary } from '../stats/summary-types';
import { rangeQuery } from './range-query';
import type { ServerQuery } from './server-queries';

export interface ServerCollectOptions {
  /** Prometheus' base URL, e.g. `http://127.0.0.1:9090`. */
  url: string;
  queries: ReadonlyArray<ServerQuery & { name: string }>;
  /** Per query; default 5000 ms. */
  timeoutMs?: number;
  /**
   * How long after the run's end to wait before asking, so the last second's scrape is in; default 1500 ms (the
   * stack scrapes every second). Time already spent since the end (a teardown) counts.
   */
  settleMs?: number;
  /** Where warnings go as they happen; default stderr. */
  warn?: (message: string) => void;
}

const reasonOf = (err: unknown) => {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
};

/**
 * The servers' view of a finished run: every query over the run's window (whole epoch seconds from its start to
 * its end, step 1 s, so the points fall on `timeSeries`' seconds). Never throws: a query that fails (Prometheus
 * unreachable, a bad query) is a warning, on stderr and in `warnings`, and leaves its chart empty; the run's verdict
 * is not its business. Queries run one after another: a few, once, at the end of a run.
 *
 * @example
 * const server = await collectServerSeries(summary, { url: 'http://127.0.0.1:9090', queries });
 * summary = { ...summary, server };
 */
export async function collectServerSeries(summary: Summary, o: ServerCollectOptions): Promise<ServerSummary> {
  const warn = o.warn ?? ((m: string) => process.stderr.write(`swarm: ${m}\n`));
  const window = {
    start: Math.floor(summary.startedAt / 1000),
    end: Math.max(Math.floor(summary.startedAt / 1000), Math.ceil(summary.endedAt / 1000)),
    stepS: 1,
  };
  const settle = summary.endedAt + (o.settleMs ?? 1500) - Date.now();
  if (settle > 0) await delay(settle);
  const out: ServerSummary = { source: o.url, stepS: 1, queries: [], series: [], warnings: [] };
  let unreachable: string | null = null;
  for (const q of o.queries) {
    if (unreachable !== null) {
      out.queries.push({ ...q, error: unreachable });
      continue;
    }
    try {
      out.series.push(...(await rangeQuery(o.url, q.name, q.query, window, o.timeoutMs)));
      out.queries.push({ ...q });
    } catch (err) {
      const reason = reasonOf(err);
      const message = `Prometheus query ${q.name} failed: ${reason}`;
      // One warning for a Prometheus that does not answer at all, not one per query.
      const down = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|timeout|aborted/i.test(reason);
      if (down) unreachable = `Prometheus at ${o.url} did not answer: ${reason}`;
      const said = down ? `${unreachable}; the server charts are empty` : message;
      out.queries.push({ ...q, error: down ? unreachable! : reason });
      out.warnings.push(said);
      warn(said);
    }
  }
  return out;
}
