import { describe, expect, it } from 'vitest';
import { requireBinaries, StackError } from './preflight';
import { loadSettings, SettingsError } from './settings';
import { nativeTopology, replicaEnv, workerEnv } from './topology';

describe('loadSettings', () => {
  it('defaults to 3 replicas behind :8080, on the stack’s own Postgres and Redis ports', () => {
    const s = loadSettings({}, '/repo');
    expect(s).toMatchObject({
      stack: 'auto',
      replicas: 3,
      balance: 'round_robin',
      gatewayPort: 8080,
      postgresPort: 55432,
      redisPort: 56379,
      dir: '/repo/.stack',
      gatewayReadTimeoutS: 10,
      gatewayInspectAllow: ['127.0.0.0/8', '::1'],
    });
    expect(nativeTopology(s).replicas.map((r) => `${r.name}@${r.port}`)).toEqual([
      'app1@8001',
      'app2@8002',
      'app3@8003',
    ]);
  });

  it('names every bad setting and what it accepts', () => {
    let error: unknown;
    try {
      loadSettings({ REPLICAS: '0', STACK: 'k8s', BALANCE: 'random', GATEWAY_PORT: '8002' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).problems).toEqual([
      'STACK: must be one of auto, docker, native (got "k8s")',
      'REPLICAS: must be a whole number from 1 to 16 (got "0")',
      'BALANCE: must be one of round_robin, least_conn (got "random")',
    ]);
    expect(() => loadSettings({ GATEWAY_PORT: '8002' })).toThrow(
      "GATEWAY_PORT: 8002 collides with the replicas' ports 8001-8003",
    );
  });
});

describe('the gateway settings', () => {
  it('take the read timeout in seconds and the inspectors as addresses or networks', () => {
    const s = loadSettings({
      GATEWAY_READ_TIMEOUT_S: '2',
      GATEWAY_INSPECT_ALLOW: '127.0.0.1, 10.0.0.0/8 fd00::/8',
    });
    expect([s.gatewayReadTimeoutS, s.gatewayInspectAllow]).toEqual([
      2,
      ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'],
    ]);
    expect(loadSettings({ GATEWAY_INSPECT_ALLOW: '0.0.0.0/0' }).gatewayInspectAllow).toEqual(['0.0.0.0/0']);
  });

  it('name a bad read timeout or network, and an inspector list without 127.0.0.1', () => {
    expect(() => loadSettings({ GATEWAY_READ_TIMEOUT_S: '0' })).toThrow(
      'GATEWAY_READ_TIMEOUT_S: must be a whole number from 1 to 300 (got "0")',
    );
    for (const bad of ['localhost', '127.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.0.0.0/x', ',', 'none']) {
      expect(() => loadSettings({ GATEWAY_INSPECT_ALLOW: bad }), bad).toThrow(
        `GATEWAY_INSPECT_ALLOW: must be addresses or networks like 127.0.0.1 10.0.0.0/8 ::1 (got ${JSON.stringify(bad)})`,
      );
    }
    // `up` and `make health` look at each replica through the gateway from 127.0.0.1.
    for (const without of ['10.0.0.0/8', '127.0.0.2', '::1', '127.0.1.0/24']) {
      expect(() => loadSettings({ GATEWAY_INSPECT_ALLOW: without }), without).toThrow(
        'GATEWAY_INSPECT_ALLOW: must let 127.0.0.1 in',
      );
    }
  });
});

describe('requireBinaries', () => {
  it('names each missing program with the apt and brew lines that install it', () => {
    const found = (name: string) => (name === 'redis-server' ? '/usr/bin/redis-server' : undefined);
    expect(() => requireBinaries(['nginx', 'redis-server', 'postgres'], found)).toThrow(StackError);
    expect(() => requireBinaries(['nginx', 'redis-server', 'postgres'], found)).toThrow(
      'sudo apt-get install -y nginx-light postgresql   (macOS: brew install nginx postgresql@15)',
    );
    expect(() => requireBinaries(['redis-server'], found)).not.toThrow();
  });
});

describe('the monitoring settings', () => {
  it('default to monitoring on: Prometheus on 9090, the exporters on their usual ports, a scrape a second', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      monitor: 'on',
      gatewayStatusPort: 8081,
      prometheusPort: 9090,
      nginxExporterPort: 9113,
      redisExporterPort: 9121,
      postgresExporterPort: 9187,
      swarmMetricsPort: 9646,
      scrapeInterval: '1s',
      prometheusRetention: '1d',
    });
    expect(
      loadSettings({ MONITOR: 'off', SCRAPE_INTERVAL: '500ms', PROMETHEUS_RETENTION: '12h' }),
    ).toMatchObject({
      monitor: 'off',
      scrapeInterval: '500ms',
      prometheusRetention: '12h',
    });
  });

  it('name a bad switch, duration or port, and two parts on one port', () => {
    expect(() => loadSettings({ MONITOR: 'yes' })).toThrow('MONITOR: must be one of on, off (got "yes")');
    for (const bad of ['1', '1.5s', '50ms', '10m', 's', '1 s']) {
      expect(() => loadSettings({ SCRAPE_INTERVAL: bad }), bad).toThrow(
        `SCRAPE_INTERVAL: must be a duration like 1s (a whole number and one of ms, s, m, h, d) from 100ms to 5m (got ${JSON.stringify(bad)})`,
      );
    }
    expect(() => loadSettings({ PROMETHEUS_RETENTION: '30m' })).toThrow(
      'PROMETHEUS_RETENTION: must be a duration like 1d (a whole number and one of ms, s, m, h, d) from 1h to 365d (got "30m")',
    );
    expect(() => loadSettings({ PROMETHEUS_PORT: '70000' })).toThrow(
      'PROMETHEUS_PORT: must be a whole number from 1 to 65535 (got "70000")',
    );
    expect(() => loadSettings({ REDIS_EXPORTER_PORT: '9090' })).toThrow(
      'REDIS_EXPORTER_PORT: 9090 is PROMETHEUS_PORT already; every part needs a port of its own',
    );
    expect(() => loadSettings({ GATEWAY_STATUS_PORT: '8002' })).toThrow(
      "GATEWAY_STATUS_PORT: 8002 collides with the replicas' ports 8001-8003 (REPLICA_BASE_PORT)",
    );
  });

  it('reads per-client quotas: off unless QUOTA_RATE is set, and names a bad rate, burst or key header', () => {
    expect(loadSettings({}).quota).toEqual({ rate: null, burst: 20, keyHeader: 'X-API-Key' });
    expect(loadSettings({ QUOTA_RATE: '0' }).quota.rate).toBeNull();
    expect(
      loadSettings({ QUOTA_RATE: '50r/s', QUOTA_BURST: '0', QUOTA_KEY_HEADER: 'X-Client' }).quota,
    ).toEqual({
      rate: '50r/s',
      burst: 0,
      keyHeader: 'X-Client',
    });
    expect(loadSettings({ QUOTA_RATE: '600r/m' }).quota.rate).toBe('600r/m');
    for (const bad of ['50', '50r/h', '0r/s', '1.5r/s', 'fast']) {
      expect(() => loadSettings({ QUOTA_RATE: bad }), bad).toThrow(
        `QUOTA_RATE: must be requests per second or minute like 50r/s or 600r/m (1 to 1000000), or 0 for no quota (got ${JSON.stringify(bad)})`,
      );
    }
    expect(() => loadSettings({ QUOTA_BURST: '-1' })).toThrow('QUOTA_BURST: must be a whole number from 0');
    expect(() => loadSettings({ QUOTA_KEY_HEADER: 'X API;Key' })).toThrow(
      'QUOTA_KEY_HEADER: must be a header name of letters, digits and "-", like X-API-Key (got "X API;Key")',
    );
  });
});

describe('the PgBouncer and Postgres settings', () => {
  it('default to no PgBouncer (port 56432, pool 20) and 200 Postgres connections; on, the replicas go through it', () => {
    const s = loadSettings({});
    expect([s.pgbouncer, s.pgbouncerPort, s.pgbouncerPoolSize, s.postgresMaxConnections]).toEqual([
      'off',
      56432,
      20,
      200,
    ]);
    expect(nativeTopology(s).pgbouncer).toBeUndefined();
    const on = nativeTopology(loadSettings({ PGBOUNCER: 'on', PGBOUNCER_POOL_SIZE: '5' }));
    expect(on.pgbouncer).toEqual({ host: '127.0.0.1', port: 56432, poolSize: 5 });
  });

  it('name a bad value, and a PgBouncer port another part has', () => {
    expect(() =>
      loadSettings({ PGBOUNCER: 'yes', PGBOUNCER_POOL_SIZE: '0', STACK_PG_MAX_CONNECTIONS: '5' }),
    ).toThrow(
      new SettingsError([
        'PGBOUNCER: must be one of on, off (got "yes")',
        'PGBOUNCER_POOL_SIZE: must be a whole number from 1 to 1000 (got "0")',
        'STACK_PG_MAX_CONNECTIONS: must be a whole number from 10 to 10000 (got "5")',
      ]),
    );
    expect(() => loadSettings({ PGBOUNCER_PORT: '55432' })).toThrow(
      'PGBOUNCER_PORT: 55432 is STACK_PG_PORT already',
    );
  });
});

describe('the ingest worker settings', () => {
  it('default to one worker on 8601, with batch size, block time and backlog limit left to the services', () => {
    const s = loadSettings({});
    expect([s.workers, s.workerBasePort, s.workerBatchSize, s.workerBlockMs, s.ingestBacklogLimit]).toEqual([
      1,
      8601,
      undefined,
      undefined,
      undefined,
    ]);
    const t = nativeTopology(loadSettings({ WORKERS: '3', WORKER_BASE_PORT: '9700' }));
    expect(t.workers.map((w) => `${w.name}@${w.port}`)).toEqual([
      'worker1@9700',
      'worker2@9701',
      'worker3@9702',
    ]);
    expect(nativeTopology(loadSettings({ WORKERS: '0' })).workers).toEqual([]);
  });

  it('pass batch size and block time to the workers and the backlog limit to the replicas, only when set', () => {
    const s = loadSettings({ WORKER_BATCH_SIZE: '50', WORKER_BLOCK_MS: '200', INGEST_BACKLOG_LIMIT: '1000' });
    const t = nativeTopology(s);
    expect(workerEnv(t, t.workers[0]!, s)).toMatchObject({
      WORKER_NAME: 'worker1',
      WORKER_PORT: '8601',
      WORKER_BATCH_SIZE: '50',
      WORKER_BLOCK_MS: '200',
    });
    expect(replicaEnv(t, t.replicas[0]!, '127.0.0.1', s).INGEST_BACKLOG_LIMIT).toBe('1000');
    const plain = nativeTopology(loadSettings({}));
    expect(Object.keys(workerEnv(plain, plain.workers[0]!, loadSettings({})))).not.toContain(
      'WORKER_BATCH_SIZE',
    );
    expect(Object.keys(replicaEnv(plain, plain.replicas[0]!, '127.0.0.1', loadSettings({})))).not.toContain(
      'INGEST_BACKLOG_LIMIT',
    );
  });

  it('name a bad count or value, and workers whose ports another part has', () => {
    expect(() =>
      loadSettings({
        WORKERS: '9',
        WORKER_BATCH_SIZE: '0',
        WORKER_BLOCK_MS: 'x',
        INGEST_BACKLOG_LIMIT: '-1',
      }),
    ).toThrow(
      new SettingsError([
        'WORKERS: must be a whole number from 0 to 8 (got "9")',
        'WORKER_BATCH_SIZE: must be a whole number from 1 to 10000 (got "0")',
        'WORKER_BLOCK_MS: must be a whole number from 1 to 60000 (got "x")',
        'INGEST_BACKLOG_LIMIT: must be a whole number from 1 to 100000000 (got "-1")',
      ]),
    );
    expect(() => loadSettings({ WORKERS: '2', DOWNSTREAM_PORT: '8602' })).toThrow(
      "DOWNSTREAM_PORT: 8602 collides with the workers' ports 8601-8602 (WORKER_BASE_PORT)",
    );
    expect(() => loadSettings({ WORKER_BASE_PORT: '8003' })).toThrow(
      "WORKER_BASE_PORT: the workers' ports 8003-8003 overlap the replicas' 8001-8003 (REPLICA_BASE_PORT)",
    );
    // No workers, no ports taken.
    expect(loadSettings({ WORKERS: '0', WORKER_BASE_PORT: '8003' }).workers).toBe(0);
  });
});
