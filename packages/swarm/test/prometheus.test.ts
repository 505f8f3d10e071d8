import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLiveServerSeries } from '../src/prometheus/live-server';
import { sampleSummary } from '../src/report/test-support';
import type { LiveControl } from '../src/runner/run-options';
import type { Summary } from '../src/stats/summary-types';
import { LiveRun } from '../src/web/live-run';
import { startWebServer } from '../src/web/web-server';
import { FIXTURES, runCli, startCli } from './support/cli';
import { startTestServer, type TestServer } from './support/test-server';

// Swarm and Prometheus, both ways, with real sockets: a fake Prometheus answers the end-of-run range queries (a
// matrix per replica, or an error for a bad query), and the generator's own /metrics is scraped while it runs.

interface FakePrometheus {
  url: string;
  queries: URLSearchParams[];
  close(): Promise<void>;
}

/** Answers `query_range` as Prometheus does: a matrix of two replicas at every step, 400 for a query with `oops`. */
async function fakePrometheus(): Promise<FakePrometheus> {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    queries.push(url.searchParams);
    const q = url.searchParams;
    if (url.pathname !== '/api/v1/query_range') {
      res.writeHead(404).end();
      return;
    }
    if (q.get('query')!.includes('oops')) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:11: parse error: unclosed' }),
      );
      return;
    }
    const start = Number(q.get('start'));
    const end = Number(q.get('end'));
    const result = ['app1', 'app2'].map((instance, k) => {
      const values: Array<[number, string]> = [];
      for (let t = start; t <= end; t += 1) values.push([t, String(0.1 * (k + 1))]);
      return { metric: { instance }, values };
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (taken and given back). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

let target: TestServer;
let prometheus: FakePrometheus;
beforeAll(async () => {
  target = await startTestServer();
  prometheus = await fakePrometheus();
});
afterAll(async () => {
  await target.close();
  await prometheus.close();
});

describe('swarm run --prometheus', () => {
  it("keeps each query's series in summary.server, on the run's seconds, and draws them in the report", async () => {
    const dir = join(tmpdir(), `swarm-prom-${process.pid}-${Date.now()}`);
    const json = join(dir, 'run.json');
    const html = join(dir, 'report.html');
    const run = await runCli([
      'run',
      join(FIXTURES, 'server-queries.ts'),
      '--headless',
      '-u',
      '2',
      '-t',
      '2s',
      '-H',
      target.url,
      '--prometheus',
      prometheus.url,
      // A query added on the command line (as load_test.sh passes a profile's), over the scenario's.
      '--server-queries',
      '{"targets_up":{"query":"sum(up)","unit":"targets"}}',
      '--json',
      json,
      '--html',
      html,
      '--only-summary',
    ]);
    // A failed query is a warning, never the verdict.
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Prometheus query broken failed: 1:11: parse error: unclosed');
    const s = JSON.parse(readFileSync(json, 'utf8')) as Summary;
    const start = Math.floor(s.startedAt / 1000);
    const end = Math.ceil(s.endedAt / 1000);
    const asked = prometheus.queries.find((q) => q.get('query')!.includes('process_cpu_seconds_total'))!;
    expect(asked.get('query')).toBe('sum by (instance) (rate(process_cpu_seconds_total{job="api"}[5s]))');
    expect(asked.get('step')).toBe('1s');
    expect(Number(asked.get('start'))).toBe(start);
    expect(Number(asked.get('end'))).toBe(end);

    const server = s.server!;
    expect(server.source).toBe(prometheus.url);
    expect(server.queries.map((q) => q.name)).toEqual(['process_cpu_cores', 'broken', 'targets_up']);
    expect(prometheus.queries.some((q) => q.get('query') === 'sum(up)')).toBe(true);
    expect(server.queries[1]!.error).toContain('parse error');
    expect(server.warnings).toEqual(['Prometheus query broken failed: 1:11: parse error: unclosed']);
    const cpu = server.series.filter((x) => x.name === 'process_cpu_cores');
    expect(cpu.map((x) => x.labels)).toEqual([{ instance: 'app1' }, { instance: 'app2' }]);
    // One point per second of the window, each on a whole epoch second, covering every second of timeSeries.
    const seconds = cpu[0]!.points.map(([t]) => t);
    expect(seconds).toEqual(Array.from({ length: end - start + 1 }, (_, i) => start + i));
    for (const p of s.timeSeries) expect(seconds).toContain(p.t);
    expect(cpu[1]!.points.every(([, v]) => v === 0.2)).toBe(true);

    const page = readFileSync(html, 'utf8');
    expect(page).toContain('process_cpu_cores <small>(cores)</small>');
    expect(page).toContain('<title>app2</title>');
    expect(page).toMatch(/id="chart-server-1" data-empty="true">.*no data: 1:11: parse error/);
  });

  it('an unreachable Prometheus is a warning and empty charts; the exit code stays the run’s', async () => {
    const dir = join(tmpdir(), `swarm-prom-down-${process.pid}-${Date.now()}`);
    const json = join(dir, 'run.json');
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli([
      'run',
      join(FIXTURES, 'plain.ts'),
      '--headless',
      '-u',
      '1',
      '-t',
      '1s',
      '-H',
      target.url,
      '--prometheus',
      url,
      '--json',
      json,
      '--only-summary',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Prometheus at ${url} did not answer`);
    const s = JSON.parse(readFileSync(json, 'utf8')) as Summary;
    expect(s.server!.series).toEqual([]);
    expect(s.server!.warnings).toHaveLength(1);
    expect(s.server!.queries.every((q) => q.error?.includes('did not answer'))).toBe(true);
  });
});

describe('live server charts (the web UI with --prometheus)', () => {
  it('puts the servers’ series into the running test’s snapshots, asked again while it runs', async () => {
    const now = Date.now();
    const control: LiveControl = {
      userCount: 3,
      setUsers() {},
      resetStats() {},
      snapshot: () => ({ ...sampleSummary(), startedAt: now - 3000, endedAt: Date.now() }),
    };
    const asked = prometheus.queries.length;
    const live = withLiveServerSeries(control, {
      url: prometheus.url,
      queries: [{ name: 'process_cpu_cores', query: 'rate(process_cpu_seconds_total[5s])', unit: 'cores' }],
      everyMs: 50,
    });
    try {
      expect(live.control.userCount).toBe(3);
      const deadline = Date.now() + 10_000;
      while (prometheus.queries.length < asked + 2 || live.control.snapshot().server === undefined) {
        if (Date.now() > deadline) throw new Error('no live server series');
        await new Promise((r) => setTimeout(r, 20));
      }
      const server = live.control.snapshot().server!;
      expect(server.series.map((x) => x.labels.instance)).toEqual(['app1', 'app2']);
      expect(server.series[0]!.points[0]![0]).toBe(Math.floor((now - 3000) / 1000));
    } finally {
      live.stop();
    }
  });
});

describe('the generator’s /metrics', () => {
  it('serves live counts on --metrics-port while a headless run goes', async () => {
    const port = await closedPort();
    const cli = startCli([
      'run',
      join(FIXTURES, 'plain.ts'),
      '--headless',
      '-u',
      '2',
      '-t',
      '4s',
      '-H',
      target.url,
      '--metrics-port',
      String(port),
      '--only-summary',
    ]);
    let text = '';
    const deadline = Date.now() + 20_000;
    const seen = () =>
      /swarm_requests_total\{method="GET",name="\/"\} [1-9]/.test(text) && /^swarm_users 2$/m.test(text);
    while (!seen()) {
      if (Date.now() > deadline) throw new Error(`no requests in /metrics: ${text.slice(0, 500)}`);
      try {
        const res = await request(`http://127.0.0.1:${port}/metrics`);
        expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
        text = await res.body.text();
      } catch {
        // Not listening yet: the scenario is still loading.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toContain('swarm_request_duration_seconds_bucket{method="GET",name="/",le="0.001"}');
    expect(text).toMatch(/^swarm_users_by_class\{class="Reader"\} 2$/m);
    const done = await cli.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain(`swarm: metrics on http://127.0.0.1:${port}/metrics`);
  });

  it("is at the web UI's /metrics too, behind the UI's Host check", async () => {
    const run = new LiveRun(async () => {
      throw new Error('not started in this test');
    });
    const ui = await startWebServer({
      run,
      scenario: 'x.ts',
      classes: ['Reader'],
      defaults: { users: 1, spawnRate: 1, host: '' },
      port: 0,
    });
    try {
      const { port } = new URL(ui.url);
      const get = (host: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/metrics', headers: { host } }, (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      const ok = await get(`127.0.0.1:${port}`);
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('# TYPE swarm_requests_total counter');
      const rebound = await get(`evil.example:${port}`);
      expect(rebound.status).toBe(403);
      expect(rebound.body).toContain('FORBIDDEN_HOST');
    } finally {
      await ui.close();
    }
  });
});
