import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, REPO_ROOT, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { queryRange } from '../../scripts/stack/prometheus-api';

// ./load_test.sh against a native stack with its Prometheus (as `make up` starts it): the generator is scraped as
// job `swarm` while it runs, and the run's summary and report carry the servers' series from Prometheus.

interface ServerSeries {
  name: string;
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

let stack: TestStack;
let dir = '';
beforeAll(async () => {
  // Three replicas: the smoke mode's contract pass checks three.
  stack = await upTestStack(3, { MONITOR: 'on' });
});
afterAll(async () => {
  await downTestStack(stack);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function loadTest(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      './load_test.sh',
      args,
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

describe('server charts from the stack’s Prometheus', () => {
  it('puts per-replica CPU in summary.server, and Prometheus scraped the generator during the run', async () => {
    const m = stack.monitoringPorts;
    const r = await loadTest(['smoke'], {
      HOST: `http://127.0.0.1:${stack.gatewayPort}`,
      STACK_REDIS_PORT: String(stack.redisPort),
      PROMETHEUS_PORT: String(m.prometheus),
      SWARM_METRICS_PORT: String(m.swarm),
      RUN_TIME: '8s',
    });
    const folder = /reports in (\S+)\//.exec(r.stdout)?.[1];
    if (folder) dir = join(REPO_ROOT, folder);
    expect(r.stderr).toContain(`--metrics-port ${m.swarm} --prometheus ${stack.prometheusUrl}`);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
      startedAt: number;
      endedAt: number;
      timeSeries: Array<{ t: number }>;
      server: {
        warnings: string[];
        series: ServerSeries[];
        queries: Array<{ name: string; error?: string }>;
      };
    };
    const start = Math.floor(summary.startedAt / 1000);
    const end = Math.ceil(summary.endedAt / 1000);
    const cpu = summary.server.series.filter((s) => s.name === 'process_cpu_cores');
    expect(cpu.map((s) => s.labels.instance).sort()).toEqual(['app1', 'app2', 'app3']);
    for (const s of cpu) {
      expect(s.points.length).toBeGreaterThanOrEqual(5);
      for (const [t, v] of s.points) {
        expect(Number.isInteger(t) && t >= start && t <= end).toBe(true);
        expect(v).toBeGreaterThan(0); // the replicas served the run
      }
    }
    // Every default query is one the stack answers: the exporters' metric names are the real ones.
    expect(summary.server.warnings).toEqual([]);
    const empty = summary.server.queries.filter(
      (q) => !summary.server.series.some((s) => s.name === q.name && s.points.length > 0),
    );
    expect(empty.map((q) => q.name)).toEqual([]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain(
      'process_cpu_cores <small>(cores)</small>',
    );

    // Prometheus's own `swarm` job saw the generator's counters while it ran.
    const scraped = await queryRange(stack.prometheusUrl, 'swarm_requests_total', start, end, 1);
    expect(scraped.length).toBeGreaterThan(0);
    expect(scraped.some((s) => s.values.some(([, v]) => Number(v) > 0))).toBe(true);
  });
});
