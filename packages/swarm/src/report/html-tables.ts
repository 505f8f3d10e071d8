import type { EntrySummary, Summary } from '../stats/summary-types';
import { PERCENTILES } from '../stats/summary-types';
import { hitRatio } from '../thresholds/evaluate';
import { fmtMs, fmtPercent, interruptedNote, timingCells } from './format';
import { type Cell, esc, htmlTable, section, shareBar } from './html-parts';

/** The tables of the HTML report and the web UI (pure): one function per concern, each `null` when it has no data. */

const share = (n: number, of: number) => (of === 0 ? 0 : n / of);

export function thresholdSection(s: Summary): string {
  if (s.thresholds.length === 0)
    return section('thresholds', 'Thresholds', '<p class="note">no thresholds set</p>');
  const rows: Cell[][] = s.thresholds.map((t) => [
    { html: `<span class="${t.ok ? 'pass' : 'fail'}">${t.ok ? 'PASS' : 'FAIL'}</span>` },
    t.expression,
    t.actual === null ? (t.message ?? 'no data') : String(Math.round(t.actual * 1000) / 1000),
  ]);
  return section('thresholds', 'Thresholds', htmlTable(['Verdict', 'Threshold', 'Actual'], rows, 2));
}

export function configSection(s: Summary): string {
  const c = s.config;
  const rows: Cell[][] = [
    ['Host', c.host || '-'],
    ['Model', c.rate === null ? 'closed (users)' : 'open (arrival rate)'],
    ['Users', c.users],
    ['Spawn rate (users/s)', c.spawnRate],
    ['Rate (iterations/s)', c.rate],
    ['Run time (s)', c.runTimeS],
    ['Processes', c.processes],
    ['Segment', c.segment],
    ['Instance header', c.instanceHeader],
    ['User classes', c.userClasses.join(', ') || '-'],
    ['Started', new Date(s.startedAt).toISOString()],
    ['Duration (s)', Math.round(s.durationS * 10) / 10],
  ];
  return section('config', 'Run configuration', htmlTable(['Setting', 'Value'], rows, 2));
}

function statsRow(e: EntrySummary, total: boolean, live: boolean): Cell[] {
  return [
    total ? '' : e.method,
    total ? 'Aggregated' : e.name,
    e.requests,
    `${e.failures} (${fmtPercent(share(e.failures, e.requests))})`,
    e.throttled,
    ...timingCells(e, live),
    Math.round(e.avgBytes),
  ];
}

/** The request table; `live` (the web UI) shows the rates of the last complete seconds, a report those of the run. */
export function endpointSection(s: Summary, live = false): string {
  const head = ['Type', 'Name', '# reqs', '# fails', '# 429', 'Avg', 'Min', 'Max', 'Med', 'p95', 'p99'];
  if (live) head.push('req/s (last 10 s)', 'failures/s (last 10 s)', 'Avg size (B)');
  else head.push('req/s', 'failures/s', 'Avg size (B)');
  const rows = [...s.endpoints.map((e) => statsRow(e, false, live)), statsRow(s.total, true, live)];
  return section('endpoints', 'Requests (ms)', htmlTable(head, rows, 2, 'endpoint-table'));
}

export function percentileSection(s: Summary): string {
  const head = ['Type', 'Name', ...PERCENTILES.map((p) => `${p}%`), '# reqs'];
  const row = (e: EntrySummary, total: boolean): Cell[] => [
    total ? '' : e.method,
    total ? 'Aggregated' : e.name,
    ...PERCENTILES.map((p) => fmtMs(e.percentiles[String(p)] ?? 0)),
    e.requests,
  ];
  const rows = [...s.endpoints.map((e) => row(e, false)), row(s.total, true)];
  return section('percentiles', 'Response time percentiles (ms)', htmlTable(head, rows, 2));
}

/** Requests with no instance header are shown as such, so the shares add up to the whole. */
function withUnattributed(e: EntrySummary): Record<string, number> {
  const out = { ...e.instances };
  const attributed = Object.values(out).reduce((a, b) => a + b, 0);
  if (attributed > 0 && attributed < e.requests) out['(no header)'] = e.requests - attributed;
  return out;
}

export function replicaSection(s: Summary): string | null {
  const total = withUnattributed(s.total);
  const names = Object.keys(total).sort();
  if (names.length === 0) return null;
  const totals = htmlTable(
    ['Instance', '# reqs', 'share'],
    names.map((n) => [n, total[n]!, shareBar(share(total[n]!, s.total.requests))]),
  );
  const perEndpoint = htmlTable(
    ['Type', 'Name', ...names],
    s.endpoints.map((e) => {
      const counts = withUnattributed(e);
      return [e.method, e.name, ...names.map((n) => counts[n] ?? 0)];
    }),
    2,
  );
  return section(
    'replicas',
    `Replica distribution (${s.config.instanceHeader})`,
    `${totals}<h3>Per endpoint</h3>${perEndpoint}`,
  );
}

export function cacheSection(s: Summary): string | null {
  const values = Object.keys(s.total.cache).sort();
  if (values.length === 0) return null;
  const ratio = hitRatio(s.total.cache);
  const rows: Cell[][] = [];
  for (const e of [...s.endpoints, s.total]) {
    for (const v of Object.keys(e.cache).sort()) {
      const c = e.cache[v]!;
      const name = e === s.total ? 'Aggregated' : `${e.method} ${e.name}`;
      rows.push([name, v, c.requests, fmtMs(c.avgMs), fmtMs(c.p50Ms), fmtMs(c.p95Ms)]);
    }
  }
  const head = `<p>Hit ratio (HIT / (HIT + MISS)): <b id="hit-ratio">${ratio === null ? 'n/a' : esc(fmtPercent(ratio))}</b></p>`;
  return section(
    'cache',
    'Cache (X-Cache): HIT vs MISS latency (ms)',
    head + htmlTable(['Endpoint', 'X-Cache', '# reqs', 'Avg', 'Med', 'p95'], rows, 2),
  );
}

export function throttleSection(s: Summary): string | null {
  if (s.total.throttled === 0) return null;
  const rows: Cell[][] = s.endpoints
    .filter((e) => e.throttled > 0)
    .map((e) => [e.method, e.name, e.throttled, fmtPercent(share(e.throttled, e.requests))]);
  rows.push(['', 'Aggregated', s.total.throttled, fmtPercent(share(s.total.throttled, s.total.requests))]);
  return section(
    'throttled',
    'Throttled (429)',
    htmlTable(['Type', 'Name', '# 429', 'share'], rows, 2),
    'Answers 429 are counted as throttled, not as failures.',
  );
}

export function interruptedSection(s: Summary): string | null {
  const note = interruptedNote(s);
  if (note === null) return null;
  return section('interrupted', 'Interrupted at the stop', `<p class="note">${esc(note)}</p>`);
}

export function errorSection(s: Summary): string {
  if (s.errors.length === 0 && s.exceptions.length === 0) {
    return section('errors', 'Errors', '<p class="note">no errors</p>');
  }
  const errors =
    s.errors.length === 0
      ? ''
      : htmlTable(
          ['Type', 'Name', 'Error', '# occurrences'],
          s.errors.map((e) => [e.method, e.name, e.error, e.occurrences]),
          3,
        );
  const exceptions =
    s.exceptions.length === 0
      ? ''
      : `<h3>Task exceptions</h3>${htmlTable(
          ['Task', 'Message', '# count'],
          s.exceptions.map((x) => [x.task, x.message, x.count]),
          2,
        )}`;
  return section('errors', 'Errors', errors + exceptions);
}

export function openModelSection(s: Summary): string | null {
  if (s.config.rate === null && s.iterations === 0) return null;
  const rows: Cell[][] = [
    ['Iterations started', s.iterations],
    ['Iterations dropped (could not start in time)', s.dropped],
  ];
  const svc = s.total.service;
  if (svc) {
    rows.push(['Latency from intended start p95 (ms)', fmtMs(s.total.percentiles['95'] ?? 0)]);
    rows.push(['Service time p95 (ms)', fmtMs(svc.percentiles['95'] ?? 0)]);
  }
  return section('open-model', 'Open model', htmlTable(['', ''], rows));
}

/** The titled tables a scenario's teardown added, e.g. the servers' own counts beside the client's. */
export function customSections(s: Summary): string[] {
  return (s.sections ?? []).map((sec, i) =>
    section(`section-${i}`, sec.title, htmlTable(sec.columns, sec.rows, 1), sec.note),
  );
}

export function engineSection(s: Summary): string {
  const m = s.monitor;
  if (m === null) return section('engine', 'Load generator', '<p class="note">not measured</p>');
  const rows: Cell[][] = [
    ['CPU (% of one core)', m.cpuPercent],
    ['Event-loop lag p99 (ms)', m.eventLoopLagP99Ms],
    ['Event-loop lag max (ms)', m.eventLoopLagMaxMs],
    ['Peak memory (MB)', m.maxRssMb],
  ];
  const warning = m.warning
    ? `<p class="warning" id="engine-warning">⚠ The load generator was saturated: ${esc(m.warning)}. ` +
      'The numbers above may describe the generator, not the target.</p>'
    : '<p class="note">The generator kept up (no saturation).</p>';
  return section('engine', 'Load generator', warning + htmlTable(['Measure', 'Value'], rows));
}
