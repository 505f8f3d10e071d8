import { describe, expect, it } from 'vitest';
import {
  type PoolSummary,
  poolFindings,
  poolRow,
  renderPoolConsole,
  renderPoolHtml,
  subRunFindings,
} from './pool-report';

function summary(
  rps: number,
  failures: number,
  s503: number,
  s0: number,
  maxMs: number,
  pg: number[],
): PoolSummary {
  return {
    durationS: 40,
    total: { requests: rps * 40, failures, rps, maxMs, percentiles: { '95': 40, '99': 90 } },
    timeSeries: [
      { endpoints: { 'POST /api/users [lab]': { statuses: { '503': s503 - 1 } } } },
      { endpoints: { 'PATCH /api/users/:id [lab]': { statuses: { '503': 1, '0': s0 } } } },
      {},
    ],
    server: { series: [{ name: 'pg_connections', points: pg.map((v, i) => [i, v] as [number, number]) }] },
    thresholds: [],
  };
}

describe('pool report', () => {
  const rows = [
    poolRow('1-replica', '1 replica', 0, summary(100, 0, 1, 0, 300, [3, 6, 7])),
    poolRow('3-replicas', '3 replicas', 0, summary(80, 120, 110, 10, 2100, [9, 9])),
    poolRow('3-replicas-pgbouncer', 'through PgBouncer', 0, summary(110, 0, 1, 0, 250, [7])),
  ];

  it('takes each sub-run’s throughput, tail, 503s, unanswered requests and Postgres connections', () => {
    expect(rows[1]).toMatchObject({
      rps: 80,
      p95Ms: 40,
      p99Ms: 90,
      maxMs: 2100,
      status503: 110,
      noAnswer: 10,
      pgConnectionsMax: 9,
    });
    expect(poolRow('x', 'y', 2, undefined)).toMatchObject({ code: 2, rps: null, pgConnectionsMax: null });
  });

  it('says what the rows show: the reference’s finding and its fix, and whether a request hung', () => {
    const findings = poolFindings(rows, 2000);
    expect(findings[0]).toBe('most throughput: 3-replicas-pgbouncer (110.0 req/s)');
    expect(findings[1]).toMatch(/most failures: 3-replicas \(120, 110 of them 503.*10 without an answer\)/);
    expect(findings).toContain(
      'PgBouncer fixed it: the replicas share its few server connections instead of competing for Postgres’s',
    );
    expect(findings.some((f) => f.startsWith('three replicas did worse than one'))).toBe(true);
    expect(findings.at(-1)).toMatch(/no request took longer than the pool timeout/);
    const slow = [poolRow('3-replicas', 'x', 1, summary(10, 5, 5, 0, 31_000, []))];
    expect(poolFindings(slow, 2000).at(-1)).toBe(
      'requests beyond the pool timeout + 500 ms in 3-replicas (max 31000 ms)',
    );
    expect(poolFindings([poolRow('a', 'b', 2, undefined)], 2000)).toEqual([
      'no sub-run wrote a summary: nothing to compare',
    ]);
  });

  it('renders a console table and an HTML page linking each sub-run’s report', () => {
    const findings = poolFindings(rows, 2000);
    const text = renderPoolConsole(rows, findings);
    expect(text.split('\n')[0]).toMatch(/^sub-run\s+req\/s\s+p95 ms/);
    expect(text).toMatch(/3-replicas\s+80\.0\s+40\s+90\s+2100\s+3200\s+120\s+110\s+0\s+10\s+9\s+PASS/);
    const html = renderPoolHtml(rows, findings, 'pool <run>');
    expect(html).toContain('<a href="3-replicas-pgbouncer/report.html">');
    expect(html).toContain('<title>pool &lt;run&gt;</title>');
  });

  it('takes throughput over the seconds at the peak user count, not the quiet tail', () => {
    const s = summary(10, 0, 1, 0, 100, []);
    s.timeSeries = [
      { users: 30, requests: 100 },
      { users: 30, requests: 80 },
      { users: 1, requests: 3 },
      { users: 1, requests: 3 },
    ];
    expect(poolRow('a', 'b', 0, s).rps).toBe(90);
  });
});

describe('a runs mode’s comparison beyond the pool (the overload lab)', () => {
  const withEndpoints = (throttled: number, p95: number): PoolSummary => ({
    durationS: 40,
    total: { requests: 400, failures: 2, rps: 10, maxMs: 900, percentiles: { '95': p95, '99': p95 * 2 } },
    timeSeries: [
      { endpoints: { 'GET /api/users/:id [eager]': { statuses: { '200': 300, '429': throttled } } } },
    ],
    thresholds: [],
    endpoints: [
      {
        method: 'GET',
        name: '/api/users/:id [eager]',
        requests: 300 + throttled,
        failures: 0,
        throttled,
        percentiles: { '95': p95, '99': p95 * 2 },
      },
      {
        method: 'GET',
        name: '/health',
        requests: 40,
        failures: 2,
        throttled: 0,
        percentiles: { '95': 3, '99': 4 },
      },
    ],
  });

  it('counts 429s and keeps each endpoint’s row', () => {
    const r = poolRow('with-quota', 'quota on', 0, withEndpoints(120, 20));
    expect(r.status429).toBe(120);
    expect(r.endpoints).toEqual([
      {
        name: 'GET /api/users/:id [eager]',
        requests: 420,
        failures: 0,
        throttled: 120,
        p95Ms: 20,
        p99Ms: 40,
      },
      { name: 'GET /health', requests: 40, failures: 2, throttled: 0, p95Ms: 3, p99Ms: 4 },
    ]);
  });

  it('says each sub-run’s verdict, failures, 429s and slowest endpoint, and draws the endpoint table', () => {
    const rows = [
      poolRow('without-quota', 'off', 0, withEndpoints(0, 50)),
      poolRow('with-quota', 'on', 1, withEndpoints(120, 20)),
      poolRow('broken', 'x', 2, undefined),
    ];
    expect(subRunFindings(rows)).toEqual([
      'without-quota: PASS; 400 requests, 2 failed (0 503, 0 without an answer), 0 throttled (429); slowest endpoint GET /api/users/:id [eager] (p95 50 ms)',
      'with-quota: FAIL; 400 requests, 2 failed (0 503, 0 without an answer), 120 throttled (429); slowest endpoint GET /api/users/:id [eager] (p95 20 ms)',
      'broken: ERROR (exit 2), no summary',
    ]);
    const text = renderPoolConsole(rows, subRunFindings(rows));
    expect(text).toMatch(/with-quota\s+GET \/health\s+40\s+2\s+0\s+3\s+4/);
    expect(renderPoolHtml(rows, [], 'quota')).toContain(
      '<td>with-quota</td><td>GET /api/users/:id [eager]</td><td>420</td>',
    );
  });
});
