import { describe, expect, it } from 'vitest';
import { renderTargetsTable } from './health-table';
import { prometheusVars, scrapeTargets } from './monitoring-config';
import {
  type ActiveTarget,
  describeTarget,
  pendingTargets,
  staleTargets,
  targetStates,
} from './scrape-targets';
import { loadSettings } from './settings';
import { nativeTopology } from './topology';

const expected = scrapeTargets(nativeTopology(loadSettings({ REPLICAS: '2' })));
const NOW = Date.parse('2025-01-01T00:00:10Z');

function active(job: string, address: string, health: ActiveTarget['health'], lastError = ''): ActiveTarget {
  return {
    labels: { job },
    discoveredLabels: { __address__: address, job },
    scrapePool: job,
    scrapeUrl: `http://${address}/metrics`,
    health,
    lastError,
    lastScrape: health === 'unknown' ? '0001-01-01T00:00:00Z' : '2025-01-01T00:00:09.5Z',
    lastScrapeDuration: 0.0042,
  };
}

describe('scrape targets', () => {
  it('are Prometheus itself, each replica and worker by name, the three exporters and the load generator', () => {
    expect(expected.map((t) => `${t.job} ${t.address} ${t.part}${t.required ? '' : ' (optional)'}`)).toEqual([
      'prometheus 127.0.0.1:9090 prometheus',
      'api 127.0.0.1:8001 app1',
      'api 127.0.0.1:8002 app2',
      'worker 127.0.0.1:8601 worker1',
      'nginx 127.0.0.1:9113 nginx-exporter',
      'redis 127.0.0.1:9121 redis-exporter',
      'postgres 127.0.0.1:9187 postgres-exporter',
      'swarm 127.0.0.1:9646 swarm (optional)',
    ]);
  });

  it('include one target per worker (WORKERS), labelled with its name, and none with WORKERS=0', () => {
    const two = nativeTopology(loadSettings({ WORKERS: '2', WORKER_BASE_PORT: '9801' }));
    expect(scrapeTargets(two).filter((t) => t.job === 'worker')).toEqual([
      {
        job: 'worker',
        address: '127.0.0.1:9801',
        part: 'worker1',
        required: true,
        labels: { instance: 'worker1', worker: 'worker1' },
      },
      {
        job: 'worker',
        address: '127.0.0.1:9802',
        part: 'worker2',
        required: true,
        labels: { instance: 'worker2', worker: 'worker2' },
      },
    ]);
    const none = nativeTopology(loadSettings({ WORKERS: '0' }));
    expect(scrapeTargets(none).some((t) => t.job === 'worker')).toBe(false);
    expect(prometheusVars(none, '1s').PROMETHEUS_WORKER_TARGETS).toBe('[]');
    expect(prometheusVars(none, '1s').PROMETHEUS_WORKER_DNS).toBe('[]');
  });

  it('include the supervisor with SUPERVISE=on, and only then (an empty job otherwise)', () => {
    const settings = loadSettings({ REPLICAS: '2', SUPERVISE: 'on', SUPERVISOR_PORT: '9700' });
    const supervised = scrapeTargets(nativeTopology(settings)).filter((t) => t.job === 'supervisor');
    expect(supervised).toEqual([
      { job: 'supervisor', address: '127.0.0.1:9700', part: 'supervisor', required: true },
    ]);
    expect(prometheusVars(nativeTopology(settings), '1s').PROMETHEUS_SUPERVISOR_TARGETS).toBe(
      '[{"targets":["127.0.0.1:9700"]}]',
    );
    expect(prometheusVars(nativeTopology(loadSettings({})), '1s').PROMETHEUS_SUPERVISOR_TARGETS).toBe('[]');
  });

  it('are ready when every one but swarm is up, and name the first that is not', () => {
    const all = expected.map((t) => active(t.job, t.address, t.job === 'swarm' ? 'down' : 'up'));
    expect(pendingTargets(targetStates(expected, all, NOW))).toEqual([]);

    const app2Down = all.map((a) =>
      a.discoveredLabels.__address__ === '127.0.0.1:8002'
        ? { ...a, health: 'down' as const, lastError: 'refused' }
        : a,
    );
    const pending = pendingTargets(targetStates(expected, app2Down, NOW));
    expect(pending.map((t) => t.part)).toEqual(['app2']);
    expect(describeTarget(pending[0]!)).toBe('api app2 (127.0.0.1:8002) is down: refused');

    const withoutRedis = all.filter((a) => a.scrapePool !== 'redis');
    const missing = pendingTargets(targetStates(expected, withoutRedis, NOW));
    expect(missing.map((t) => [t.part, t.health])).toEqual([['redis-exporter', 'missing']]);
    expect(describeTarget(missing[0]!)).toContain("is not among Prometheus's targets");

    const fresh = all.map((a) =>
      a.scrapePool === 'nginx' ? active('nginx', '127.0.0.1:9113', 'unknown') : a,
    );
    expect(pendingTargets(targetStates(expected, fresh, NOW)).map((t) => t.health)).toEqual(['unknown']);
  });

  it('tell targets of an old config from the expected ones', () => {
    const old = [
      ...expected.map((t) => active(t.job, t.address, 'up')),
      active('api', '127.0.0.1:8003', 'down'),
    ];
    expect(staleTargets(expected, old).map((a) => a.scrapeUrl)).toEqual(['http://127.0.0.1:8003/metrics']);
  });

  it('print as a table that says the load generator is down by design', () => {
    const states = targetStates(
      expected.filter((t) => t.job === 'api' || t.job === 'swarm'),
      [
        active('api', '127.0.0.1:8001', 'up'),
        active('swarm', '127.0.0.1:9646', 'down', 'connection refused'),
      ],
      NOW,
    );
    expect(renderTargetsTable(states).split('\n')).toEqual([
      'target    address         state    last scrape  took    error',
      'api app1  127.0.0.1:8001  up       0.5s ago     4.2 ms',
      'api app2  127.0.0.1:8002  missing  -            -',
      'swarm     127.0.0.1:9646  down     0.5s ago     4.2 ms  connection refused (expected: up only during a load test)',
    ]);
  });
});
