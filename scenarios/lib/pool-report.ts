/**
 * A `runs` mode's comparison (pure): the same load on differently set up stacks (the pool mode's 1 replica, 3
 * replicas, 3 through PgBouncer; the overload lab's without and with protection), one row each from its
 * summary.json — throughput, p95/p99, the slowest request, 503s, 429s, requests that got no answer, Postgres
 * connections in use — then each endpoint's row per sub-run, and what the rows show, in words. Rendered for the
 * console and as a small self-contained HTML page beside the sub-runs' own reports.
 */

/** The fields of a Swarm summary this reads. */
export interface PoolSummary {
  durationS: number;
  total: {
    requests: number;
    failures: number;
    rps: number;
    maxMs: number;
    percentiles: Record<string, number>;
  };
  timeSeries: Array<{
    users?: number;
    requests?: number;
    endpoints?: Record<string, { statuses: Record<string, number> }>;
  }>;
  server?: { series: Array<{ name: string; points: Array<[number, number]> }> };
  thresholds: Array<{ expression: string; ok: boolean }>;
  endpoints?: Array<{
    method: string;
    name: string;
    requests: number;
    failures: number;
    throttled?: number;
    percentiles: Record<string, number>;
  }>;
}

/** One endpoint's numbers in one sub-run. */
export interface EndpointRow {
  name: string;
  requests: number;
  failures: number;
  throttled: number;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface PoolRow {
  name: string;
  description: string;
  /** Exit code of the sub-run (0 its criteria held). */
  code: number;
  rps: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  requests: number | null;
  failures: number | null;
  status503: number | null;
  /** Answers 429 (throttled by a quota: not failures). */
  status429: number | null;
  /** Failures without a response (status 0): timeouts and refused or reset connections. */
  noAnswer: number | null;
  /** Most Postgres backends seen at once (pg_connections from Prometheus); null without it. */
  pgConnectionsMax: number | null;
  /** Each endpoint's row of the sub-run's summary (empty without one). */
  endpoints: EndpointRow[];
}

/** One row from a sub-run's summary (undefined: the sub-run wrote none). */
export function poolRow(
  name: string,
  description: string,
  code: number,
  s: PoolSummary | undefined,
): PoolRow {
  if (s === undefined) {
    const none = null;
    return {
      name,
      description,
      code,
      rps: none,
      p95Ms: none,
      p99Ms: none,
      maxMs: none,
      requests: none,
      failures: none,
      status503: none,
      status429: none,
      noAnswer: none,
      pgConnectionsMax: none,
      endpoints: [],
    };
  }
  const statuses: Record<string, number> = {};
  for (const p of s.timeSeries)
    for (const e of Object.values(p.endpoints ?? {}))
      for (const [status, n] of Object.entries(e.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const pg = (s.server?.series ?? []).filter((x) => x.name === 'pg_connections').flatMap((x) => x.points);
  return {
    name,
    description,
    code,
    rps: loadedRps(s),
    p95Ms: s.total.percentiles['95'] ?? null,
    p99Ms: s.total.percentiles['99'] ?? null,
    maxMs: s.total.maxMs,
    requests: s.total.requests,
    failures: s.total.failures,
    status503: statuses['503'] ?? 0,
    // 429s are throttled, not failed: the per-second statuses hold failures only, the endpoints their throttled.
    status429: s.endpoints ? s.endpoints.reduce((n, e) => n + (e.throttled ?? 0), 0) : (statuses['429'] ?? 0),
    noAnswer: statuses['0'] ?? 0,
    pgConnectionsMax: pg.length > 0 ? Math.max(...pg.map(([, v]) => v)) : null,
    endpoints: (s.endpoints ?? []).map((e) => ({
      name: e.name.startsWith(`${e.method} `) ? e.name : `${e.method} ${e.name}`,
      requests: e.requests,
      failures: e.failures,
      throttled: e.throttled ?? 0,
      p95Ms: e.percentiles['95'] ?? null,
      p99Ms: e.percentiles['99'] ?? null,
    })),
  };
}

/** Requests per second over the seconds at the peak user count (the pool mode ends on a one-user tail). */
function loadedRps(s: PoolSummary): number {
  const peak = Math.max(0, ...s.timeSeries.map((p) => p.users ?? 0));
  const loaded = s.timeSeries.filter((p) => peak > 0 && p.users === peak);
  if (loaded.length === 0) return s.total.rps;
  return loaded.reduce((sum, p) => sum + (p.requests ?? 0), 0) / loaded.length;
}

/** What the rows show, in words: which set-up served most, which failed most, and whether any request hung. */
export function poolFindings(rows: readonly PoolRow[], poolTimeoutMs: number): string[] {
  const measured = rows.filter((r) => r.requests !== null);
  if (measured.length === 0) return ['no sub-run wrote a summary: nothing to compare'];
  const out: string[] = [];
  const best = [...measured].sort((a, b) => b.rps! - a.rps!)[0]!;
  out.push(`most throughput: ${best.name} (${best.rps!.toFixed(1)} req/s)`);
  const failing = [...measured].sort((a, b) => b.failures! - a.failures!)[0]!;
  out.push(
    failing.failures === 0
      ? 'no sub-run had a failed request: this load did not exhaust any pool or Postgres on this machine'
      : `most failures: ${failing.name} (${failing.failures}, ${failing.status503} of them 503 — a pool or Postgres ` +
          `out of connections — and ${failing.noAnswer} without an answer)`,
  );
  const single = measured.find((r) => r.name === '1-replica');
  const three = measured.find((r) => r.name === '3-replicas');
  const bouncer = measured.find((r) => r.name === '3-replicas-pgbouncer');
  if (single && three && three.failures! > single.failures!)
    out.push(
      'three replicas did worse than one: each brings its own pool, and together they ask Postgres for more ' +
        'connections than it allows, so requests are refused (the reference’s finding)',
    );
  if (three && bouncer && bouncer.failures! < three.failures!)
    out.push(
      'PgBouncer fixed it: the replicas share its few server connections instead of competing for Postgres’s',
    );
  const hung = measured.filter((r) => r.maxMs! > poolTimeoutMs + 500);
  out.push(
    hung.length === 0
      ? `no request took longer than the pool timeout (${poolTimeoutMs} ms) + 500 ms in any sub-run: failures were fast`
      : `requests beyond the pool timeout + 500 ms in ${hung.map((r) => `${r.name} (max ${Math.round(r.maxMs!)} ms)`).join(', ')}`,
  );
  return out;
}

/**
 * What a `runs` mode's rows show when the mode has no findings of its own (the overload lab): each sub-run's
 * verdict with its failures (503s, no answer) and 429s, and its slowest endpoint by p95.
 */
export function subRunFindings(rows: readonly PoolRow[]): string[] {
  return rows.map((r) => {
    const verdict = r.code === 0 ? 'PASS' : r.code === 1 ? 'FAIL' : `ERROR (exit ${r.code})`;
    if (r.requests === null) return `${r.name}: ${verdict}, no summary`;
    const slowest = [...r.endpoints].sort((a, b) => (b.p95Ms ?? 0) - (a.p95Ms ?? 0))[0];
    return (
      `${r.name}: ${verdict}; ${r.requests} requests, ${r.failures} failed (${r.status503} 503, ${r.noAnswer} ` +
      `without an answer), ${r.status429} throttled (429)` +
      (slowest ? `; slowest endpoint ${slowest.name} (p95 ${Math.round(slowest.p95Ms ?? 0)} ms)` : '')
    );
  });
}

const COLUMNS = [
  'sub-run',
  'req/s',
  'p95 ms',
  'p99 ms',
  'max ms',
  'requests',
  'failures',
  '503',
  '429',
  'no answer',
  'pg conns max',
  'verdict',
];

function cells(r: PoolRow): string[] {
  const n = (v: number | null, digits = 0) => (v === null ? '-' : v.toFixed(digits));
  return [
    r.name,
    n(r.rps, 1),
    n(r.p95Ms),
    n(r.p99Ms),
    n(r.maxMs),
    n(r.requests),
    n(r.failures),
    n(r.status503),
    n(r.status429),
    n(r.noAnswer),
    n(r.pgConnectionsMax),
    r.code === 0 ? 'PASS' : r.code === 1 ? 'FAIL' : `ERROR (${r.code})`,
  ];
}

/** The comparison as a console table with the findings under it. */
export function renderPoolConsole(rows: readonly PoolRow[], findings: readonly string[]): string {
  const table = [COLUMNS, ...rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
  );
  const ep = [ENDPOINT_COLUMNS, ...endpointCells(rows)];
  const epWidths = ENDPOINT_COLUMNS.map((_, i) => Math.max(...ep.map((r) => r[i]!.length)));
  const epLines = ep.map((r) =>
    r.map((c, i) => (i < 2 ? c.padEnd(epWidths[i]!) : c.padStart(epWidths[i]!))).join('  '),
  );
  return `${lines.join('\n')}\n\n${epLines.join('\n')}\n\n${findings.map((f) => `- ${f}`).join('\n')}\n`;
}

const ENDPOINT_COLUMNS = ['sub-run', 'endpoint', 'requests', 'failures', '429', 'p95 ms', 'p99 ms'];

function endpointCells(rows: readonly PoolRow[]): string[][] {
  const n = (v: number | null) => (v === null ? '-' : v.toFixed(0));
  return rows.flatMap((r) =>
    r.endpoints.map((e) => [
      r.name,
      e.name,
      n(e.requests),
      n(e.failures),
      n(e.throttled),
      n(e.p95Ms),
      n(e.p99Ms),
    ]),
  );
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The comparison as a self-contained HTML page; each sub-run's name links to its own report.html. */
export function renderPoolHtml(rows: readonly PoolRow[], findings: readonly string[], title: string): string {
  const head = COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows
    .map((r) => {
      const [name, ...rest] = cells(r);
      return `<tr><td><a href="${esc(name!)}/report.html">${esc(name!)}</a><br><small>${esc(r.description)}</small></td>${rest.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>${esc(title)}</h1>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<h2>Each endpoint</h2>
<table><thead><tr>${ENDPOINT_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>
${endpointCells(rows)
  .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
  .join('\n')}
</tbody></table>
<h2>What it shows</h2>
<ul>${findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>
</body></html>
`;
}
