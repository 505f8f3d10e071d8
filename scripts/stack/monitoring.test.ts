import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { isRunning, type PidRecord } from '../lib/daemon';
import { waitFor } from '../lib/ports';
import { portFree } from './preflight';
import { activeTargets, query, queryRange } from './prometheus-api';

// One native stack of two replicas, first without monitoring, then with it, then without it again: what MONITOR
// starts and stops, and Prometheus scraping the real stack (the exporters, itself, the replicas, and the load
// generator's port, on which nothing listens between runs). `make down` with monitoring on: up-down.test.ts.
let stack: TestStack;
const MONITORING = ['nginx-exporter', 'postgres-exporter', 'prometheus', 'redis-exporter'];
const records: Record<string, PidRecord> = {};
const parts = () =>
  readdirSync(join(stack.dir, 'pids'))
    .map((f) => f.replace(/\.pid$/, ''))
    .sort();
/** The ports Prometheus and the exporters listen on (nginx's stub_status belongs to the gateway). */
const monitoringPorts = () => {
  const { prometheus, nginxExporter, redisExporter, postgresExporter } = stack.monitoringPorts;
  return [prometheus, nginxExporter, redisExporter, postgresExporter];
};

beforeAll(async () => {
  stack = await upTestStack(2, { MONITOR: 'off' });
});

afterAll(async () => {
  await downTestStack(stack);
});

describe('MONITOR=off', () => {
  it('starts neither Prometheus nor an exporter, and health has no row for them', async () => {
    expect(parts()).toEqual(['app1', 'app2', 'downstream', 'gateway', 'postgres', 'redis']);
    for (const port of monitoringPorts()) expect(await portFree(port), `port ${port}`).toBe(true);
    // Later commands see what `up` started: healthy without Prometheus.
    const health = await stack.cli('health');
    expect(health.stdout).not.toMatch(/prometheus|exporter|target/);
  });
});

describe('MONITOR=on on the running stack', () => {
  it('starts only Prometheus and the exporters, and returns once every target but swarm is up', async () => {
    stack.env.MONITOR = 'on';
    const up = await stack.cli('up');
    expect(up.stdout.match(/already running/g)).toHaveLength(6);
    expect(up.stdout).toMatch(/^ {2}prometheus\s+started on http:\/\/127\.0\.0\.1:\d+: 6 of 7 targets up/m);
    expect(parts()).toEqual(
      ['app1', 'app2', 'downstream', 'gateway', 'postgres', 'redis', ...MONITORING].sort(),
    );
    for (const part of MONITORING) records[part] = stack.pid(part);

    const targets = await activeTargets(stack.prometheusUrl);
    const state = Object.fromEntries(
      targets.map((t) => [`${t.scrapePool} ${t.discoveredLabels.__address__}`, t.health]),
    );
    const at = (port: number) => `127.0.0.1:${port}`;
    const m = stack.monitoringPorts;
    expect(state).toEqual({
      [`prometheus ${at(m.prometheus)}`]: 'up',
      [`api ${at(stack.replicaPorts[0]!)}`]: 'up',
      [`api ${at(stack.replicaPorts[1]!)}`]: 'up',
      [`nginx ${at(m.nginxExporter)}`]: 'up',
      [`redis ${at(m.redisExporter)}`]: 'up',
      [`postgres ${at(m.postgresExporter)}`]: 'up',
      // Nothing serves it between load tests; Swarm does during a run.
      [`swarm ${at(m.swarm)}`]: expect.stringMatching(/^(down|unknown)$/),
    });
  });

  it('has one up{job="api"} series per replica, named by the replica', async () => {
    const series = await query(stack.prometheusUrl, 'up{job="api"}');
    expect(series.map((s) => [s.metric.replica, s.metric.instance, s.values[0]![1]]).sort()).toEqual([
      ['app1', 'app1', '1'],
      ['app2', 'app2', '1'],
    ]);
  });

  it('sees what each exporter watches: nginx, Redis and Postgres up', async () => {
    const series = await query(stack.prometheusUrl, 'nginx_up or redis_up or pg_up');
    expect(Object.fromEntries(series.map((s) => [s.metric.__name__, s.values[0]![1]]))).toEqual({
      nginx_up: '1',
      redis_up: '1',
      pg_up: '1',
    });
  });

  it('answers a range query over the last seconds with a point a second for a replica metric', async () => {
    // A scrape a second: within a few seconds of `up` there are several points.
    let points = 0;
    await waitFor(
      'three points of app1 in a range query',
      async () => {
        const now = Date.now() / 1000;
        const series = await queryRange(
          stack.prometheusUrl,
          'nodejs_heap_size_used_bytes{job="api",replica="app1"}',
          now - 10,
          now,
          1,
        );
        points = series[0]?.values.length ?? 0;
        return points >= 3;
      },
      10_000,
      200,
    );
    expect(points).toBeGreaterThanOrEqual(3);
  });

  it('shows in make health and make status: Prometheus, each exporter, each target', async () => {
    const health = await stack.make('health');
    expect(health.stdout).toMatch(/^prometheus\s+up\s.*v2\.\S+, 6 of 7 targets up$/m);
    for (const [exporter, metric] of [
      ['nginx-exporter', 'nginx_up'],
      ['redis-exporter', 'redis_up'],
      ['postgres-exporter', 'pg_up'],
    ]) {
      expect(health.stdout).toMatch(new RegExp(`^${exporter}\\s+up\\s.*, ${metric} 1$`, 'm'));
    }
    expect(health.stdout).toMatch(/^api app2\s+127\.0\.0\.1:\d+\s+up\s/m);
    expect(health.stdout).toMatch(
      /^swarm\s+127\.0\.0\.1:\d+\s+(down|unknown)\s.*\(expected: up only during a load test\)$/m,
    );

    const status = await stack.make('status');
    expect(status.stdout).toMatch(/^prometheus\s+running \(pid \d+\)\s+127\.0\.0\.1:\d+$/m);
    expect(status.stdout).toMatch(/^postgres-exporter\s+running \(pid \d+\)\s+127\.0\.0\.1:\d+$/m);
    expect(status.stdout).toMatch(/^redis\s+127\.0\.0\.1:\d+\s+up\s/m);
  });
});

describe('MONITOR=off again', () => {
  it('stops Prometheus and the exporters, and nothing else', async () => {
    stack.env.MONITOR = 'off';
    const up = await stack.cli('up');
    for (const part of MONITORING) {
      expect(up.stdout).toMatch(new RegExp(`^ {2}${part}\\s+stopped \\(MONITOR=off\\)$`, 'm'));
      expect(isRunning(records[part]!), `${part} still runs`).toBe(false);
    }
    expect(up.stdout.match(/already running/g)).toHaveLength(6);
    expect(parts()).toEqual(['app1', 'app2', 'downstream', 'gateway', 'postgres', 'redis']);
    for (const port of monitoringPorts()) expect(await portFree(port), `port ${port}`).toBe(true);
  });
});
