import type { Comparison } from '../compare/compare';
import type { EntrySummary, Summary } from '../stats/summary-types';
import { PERCENTILES } from '../stats/summary-types';
import { hitRatio } from '../thresholds/evaluate';
import { renderComparison } from './console-comparison';
import { consoleFaults } from './console-faults';
import { fmtMs, fmtPercent, fmtRate, interruptedNote, table, timingCells } from './format';
import { consoleRunFacts } from './run-facts';

function statsRow(e: EntrySummary, total: boolean, live: boolean): string[] {
  return [
    total ? '' : e.method,
    total ? 'Aggregated' : e.name,
    String(e.requests),
    `${e.failures}(${fmtPercent(e.requests === 0 ? 0 : e.failures / e.requests)})`,
    ...timingCells(e, live),
  ];
}

export interface StatsTableOptions {
  /** A live view: req/s and failures/s over the last complete seconds (as Locust's), not the whole run. */
  live?: boolean;
}

/** Locust's request table: Type, Name, # reqs, # fails, Avg, Min, Max, Med, p95, p99, req/s, failures/s. */
export function renderStatsTable(s: Summary, options: StatsTableOptions = {}): string {
  const live = options.live === true;
  const header = [
    'Type',
    'Name',
    '# reqs',
    '# fails',
    'Avg',
    'Min',
    'Max',
    'Med',
    'p95',
    'p99',
    'req/s',
    'failures/s',
  ];
  const rows = [...s.endpoints.map((e) => statsRow(e, false, live)), statsRow(s.total, true, live)];
  return table([header, ...rows], 2);
}

function percentileTable(s: Summary): string {
  const header = ['Type', 'Name', ...PERCENTILES.map((p) => `${p}%`), '# reqs'];
  const row = (e: EntrySummary, total: boolean) => [
    total ? '' : e.method,
    total ? 'Aggregated' : e.name,
    ...PERCENTILES.map((p) => fmtMs(e.percentiles[String(p)] ?? 0)),
    String(e.requests),
  ];
  return table([header, ...s.endpoints.map((e) => row(e, false)), row(s.total, true)], 2);
}

function instanceTable(s: Summary): string | null {
  const names = Object.keys(s.total.instances);
  if (names.length === 0) return null;
  const rows = names.map((n) => {
    const count = s.total.instances[n]!;
    return [n, String(count), fmtPercent(s.total.requests === 0 ? 0 : count / s.total.requests)];
  });
  const attributed = names.reduce((sum, n) => sum + s.total.instances[n]!, 0);
  if (attributed < s.total.requests) {
    rows.push([
      '(no header)',
      String(s.total.requests - attributed),
      fmtPercent((s.total.requests - attributed) / s.total.requests),
    ]);
  }
  return `Replica distribution (${s.config.instanceHeader})\n${table([['Instance', '# reqs', 'share'], ...rows])}`;
}

function cacheTable(s: Summary): string | null {
  const values = Object.keys(s.total.cache);
  if (values.length === 0) return null;
  const rows = values.map((v) => {
    const c = s.total.cache[v]!;
    return [v, String(c.requests), fmtMs(c.avgMs), fmtMs(c.p50Ms), fmtMs(c.p95Ms)];
  });
  const ratio = hitRatio(s.total.cache);
  const head = `Cache (X-Cache)${ratio === null ? '' : `: hit ratio ${fmtPercent(ratio)}`}`;
  return `${head}\n${table([['Value', '# reqs', 'Avg', 'Med', 'p95'], ...rows])}`;
}

function errorTable(s: Summary): string | null {
  if (s.errors.length === 0) return null;
  return `Errors\n${table([['Error', '# occurrences'], ...s.errors.map((e) => [`${e.method} ${e.name}: ${e.error}`, String(e.occurrences)])])}`;
}

function exceptionTable(s: Summary): string | null {
  if (s.exceptions.length === 0) return null;
  return `Task exceptions\n${table([['Task: message', '# count'], ...s.exceptions.map((x) => [`${x.task}: ${x.message}`, String(x.count)])])}`;
}

function openModel(s: Summary): string | null {
  if (s.config.rate === null && s.iterations === 0) return null;
  const lines = [
    `Open model: ${s.iterations} iterations started, ${s.dropped} dropped (could not start in time)`,
  ];
  const svc = s.total.service;
  if (svc) {
    lines.push(
      `  latency from intended start: med ${fmtMs(s.total.medianMs)}  p95 ${fmtMs(s.total.percentiles['95'] ?? 0)}  p99 ${fmtMs(s.total.percentiles['99'] ?? 0)}`,
      `  service time (send → last byte): med ${fmtMs(svc.percentiles['50'] ?? 0)}  p95 ${fmtMs(svc.percentiles['95'] ?? 0)}  p99 ${fmtMs(svc.percentiles['99'] ?? 0)}`,
    );
  }
  return lines.join('\n');
}

function thresholdTable(s: Summary): string | null {
  if (s.thresholds.length === 0) return null;
  const rows = s.thresholds.map((t) => [
    t.ok ? 'PASS' : 'FAIL',
    t.expression,
    t.actual === null ? (t.message ?? 'no data') : String(Math.round(t.actual * 1000) / 1000),
  ]);
  return `Thresholds\n${table([['Verdict', 'Threshold', 'Actual'], ...rows], 2)}`;
}

/** The tables a scenario's teardown added (server-side counts and the like). */
function sectionTables(s: Summary): string[] {
  return (s.sections ?? []).map((section) => {
    const rows = section.rows.map((r) => r.map((v) => (v === null ? '-' : String(v))));
    const note = section.note ? `\n  (${section.note})` : '';
    return `${section.title}\n${table([section.columns, ...rows], 2)}${note}`;
  });
}

export interface ConsoleOptions {
  /** A comparison with a baseline run: printed as "Compared with baseline" after the thresholds. */
  baseline?: { name: string; comparison: Comparison };
}

/**
 * The final console report (pure): the request table with Locust's columns, why the run stopped with its
 * failures and dropped iterations (and a partial result's missing segments), the percentile table, errors,
 * task exceptions, the replica distribution, the cache table, throttling, the open model, the threshold
 * verdicts, the comparison with a baseline (when given) and the engine's self-monitoring warning.
 *
 * @example
 * process.stdout.write(renderConsole(summary));
 */
export function renderConsole(s: Summary, options: ConsoleOptions = {}): string {
  const parts: Array<string | null> = [
    renderStatsTable(s),
    consoleRunFacts(s),
    `Response time percentiles (ms)\n${percentileTable(s)}`,
    errorTable(s),
    exceptionTable(s),
    instanceTable(s),
    cacheTable(s),
    s.total.throttled > 0
      ? `Throttled (429): ${s.total.throttled} (${fmtPercent(s.total.throttled / Math.max(1, s.total.requests))}), not counted as failures`
      : null,
    openModel(s),
    interruptedNote(s) === null ? null : `Interrupted: ${interruptedNote(s)}`,
    ...sectionTables(s),
    ...consoleFaults(s),
    thresholdTable(s),
    options.baseline ? renderComparison(options.baseline.comparison, options.baseline.name) : null,
    s.monitor
      ? `Engine: CPU ${s.monitor.cpuPercent}% of a core, event-loop lag p99 ${s.monitor.eventLoopLagP99Ms} ms ` +
        `(max ${s.monitor.eventLoopLagMaxMs} ms), peak memory ${s.monitor.maxRssMb} MB`
      : null,
    s.monitor?.warning ? `WARNING: ${s.monitor.warning}` : null,
  ];
  return `${parts.filter((p): p is string => p !== null).join('\n\n')}\n`;
}

/**
 * One progress line for the live view (pure): elapsed of run time, users, req/s (over the last complete seconds),
 * failures, p95.
 *
 * @example
 * renderProgress(liveSummary, 12); // '[12s/60s] users 50  req/s 812.4  fails 0.00%  p95 21 ms'
 */
export function renderProgress(s: Summary, users: number): string {
  const elapsed = Math.round(s.durationS);
  const of = s.config.runTimeS === null ? '' : `/${s.config.runTimeS}s`;
  const fails = s.total.requests === 0 ? 0 : s.total.failures / s.total.requests;
  return (
    `[${elapsed}s${of}] users ${users}  req/s ${fmtRate(s.total.currentRps)}  ` +
    `reqs ${s.total.requests}  fails ${fmtPercent(fails)}` +
    (s.config.rate === null ? '' : `  dropped ${s.dropped}`) +
    `  p95 ${fmtMs(s.total.percentiles['95'] ?? 0)} ms`
  );
}
