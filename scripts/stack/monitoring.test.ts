import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { isRunning, type PidRecord, readPidFile } from '../lib/daemon';
import { waitFor } from '../lib/ports';
import { activeTargets, query, queryRange } from './prometheus-api';

// Prometheus scraping a real native stack, as `make up` leaves it: two replicas, the three exporters, itself, and
// the load generator's port, on which nothing listens between runs.
let stack: TestStack;
const records: Record<string, PidRecord> = {};

beforeAll(async () => {
  stack = await upTestStack(2);
  for (const part of ['prometheus', 'nginx-exporter', 'redis-exporter', 'postgres-exporter']) {
    records[part] = stack.pid(part);
  }
});

afterAll(async () => {
  await downTestStack(stack);
});

describe('Prometheus, started with the stack', () => {
  it('scrapes every target but the load generator as soon as up returns', async () => {
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
      /^swarm\s+127\.0\.0\.1:\d+\s+down\s.*\(expected: up only during a load test\)$/m,
    );

    const status = await stack.make('status');
    expect(status.stdout).toMatch(/^prometheus\s+running \(pid \d+\)\s+127\.0\.0\.1:\d+$/m);
    expect(status.stdout).toMatch(/^postgres-exporter\s+running \(pid \d+\)\s+127\.0\.0\.1:\d+$/m);
    expect(status.stdout).toMatch(/^redis\s+127\.0\.0\.1:\d+\s+up\s/m);
  });

  it('goes with make down: no exporter or Prometheus process is left', async () => {
    await stack.cli('down');
    for (const [part, record] of Object.entries(records)) {
      expect(isRunning(record), `${part} still runs`).toBe(false);
      expect(readPidFile(join(stack.dir, 'pids', `${part}.pid`)), `${part}'s pid file`).toBeUndefined();
    }
  });
});
