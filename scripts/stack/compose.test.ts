import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnv } from '../../services/api/src/env';
import { composeEnv } from './docker';
import { COMPOSE_INSPECT_ALLOW, gatewayVars } from './gateway-config';
import {
  exporterArgs,
  postgresExporterEnv,
  prometheusArgs,
  prometheusVars,
  scrapeTargets,
} from './monitoring-config';
import { PGBOUNCER_USERLIST, renderPgbouncerIni } from './pgbouncer-config';
import { findBinary } from './preflight';
import { loadSettings } from './settings';
import { fillTemplate } from './template';
import {
  COMPOSE_REPLICAS,
  composeTopology,
  databaseUrl,
  nativeTopology,
  replicaEnv,
  workerEnv,
} from './topology';

// No Docker engine runs where the tests do, so docker-compose.yml is held against the native topology instead:
// same services, ports, environment and gateway template values, with healthchecks and start-up order.
const ROOT = join(import.meta.dirname, '..', '..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  entrypoint?: string[];
  extra_hosts?: string[];
  profiles?: string[];
  configs?: { source: string; target: string }[];
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
};
const services = compose.services;
const settings = loadSettings({});
const native = nativeTopology({ ...settings, replicas: COMPOSE_REPLICAS });
const inCompose = composeTopology(settings);
/** The values that are set: an empty variable is unset to the API and the worker, whose own defaults apply. */
const setOnly = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
/** Compose's `${NAME:-default}` interpolation of every value, from `env`. */
const interpolate = (values: Record<string, string> | undefined, env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(values ?? {}).map(([key, value]) => [
      key,
      value.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => env[name] ?? fallback),
    ]),
  );
const withPgbouncer = loadSettings({ PGBOUNCER: 'on' });
const service = (name: string) => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

describe('docker-compose.yml', () => {
  it('has the native stack parts plus one-shot migrate and prometheus-config services', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'app1',
        'app2',
        'app3',
        'gateway',
        'migrate',
        'postgres',
        'redis',
        'prometheus-config',
        'prometheus',
        'nginx-exporter',
        'redis-exporter',
        'postgres-exporter',
        'pgbouncer',
        'downstream',
        'worker',
      ].sort(),
    );
  });

  it('runs the ingest workers as one `worker` service scaled to WORKERS, after the migrations, unpublished', () => {
    const worker = service('worker') as Service & { deploy?: { replicas?: string } };
    expect(worker.build?.dockerfile).toBe('services/worker/Dockerfile');
    expect(interpolate({ n: String(worker.deploy?.replicas) }, {}).n).toBe('1');
    expect(interpolate({ n: String(worker.deploy?.replicas) }, { WORKERS: '3' }).n).toBe('3');
    // The native worker's environment but its name (each container names itself by its host name) and its
    // address: the compose network's Postgres and Redis, listening on every interface for Prometheus.
    const { WORKER_NAME: _name, ...env } = workerEnv(
      inCompose,
      { name: 'worker1', index: 1, host: 'worker', port: inCompose.workerService!.port },
      settings,
    );
    expect(setOnly(interpolate(worker.environment, composeEnv(settings)))).toEqual({
      ...env,
      WORKER_HOST: '0.0.0.0',
    });
    // WORKER_BATCH_SIZE and WORKER_BLOCK_MS reach the containers as they reach native workers.
    const tuned = loadSettings({ WORKER_BATCH_SIZE: '50', WORKER_BLOCK_MS: '200' });
    const { WORKER_NAME: _n, ...tunedEnv } = workerEnv(
      composeTopology(tuned),
      { name: 'worker1', index: 1, host: 'worker', port: inCompose.workerService!.port },
      tuned,
    );
    expect(setOnly(interpolate(worker.environment, composeEnv(tuned)))).toEqual({
      ...tunedEnv,
      WORKER_HOST: '0.0.0.0',
    });
    expect(tunedEnv).toMatchObject({ WORKER_BATCH_SIZE: '50', WORKER_BLOCK_MS: '200' });
    expect(worker.ports).toBeUndefined();
    expect(worker.healthcheck?.test?.join(' ')).toContain('/ready');
    expect(worker.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    // The Dockerfile builds the worker's entry point and runs node on it, as the API's does.
    const dockerfile = readFileSync(join(ROOT, 'services/worker/Dockerfile'), 'utf8');
    expect(dockerfile).toContain('services/worker/src/index.ts');
    expect(dockerfile).toContain('COPY services/worker/package.json services/worker/');
    expect(dockerfile).toMatch(/CMD \["node", "dist\/bin\/index\.js"\]/);
  });

  it.each(native.replicas.map((r, i) => [r.name, r, inCompose.replicas[i]!] as const))(
    '%s: the native port and environment, built from the API Dockerfile, started after the migrations',
    (name, nativeReplica, composeReplica) => {
      const app = service(name);
      expect(app.build?.dockerfile).toBe('services/api/Dockerfile');
      expect(app.ports).toEqual([`127.0.0.1:${nativeReplica.port}:${composeReplica.port}`]);
      // Straight to Postgres by default (PG_TRANSACTION_POOLING written out as its default, off) ...
      // Empty is unset to the API: its own defaults apply (SHED_LAG_MS 0, DOWNSTREAM_TIMEOUT_MS 1000, ...).
      const api = loadEnv(interpolate(app.environment, composeEnv(settings)));
      expect(api).toMatchObject({ SHED_LAG_MS: 0, DOWNSTREAM_PROTECTION: 'on', DOWNSTREAM_TIMEOUT_MS: 1000 });
      expect(setOnly(interpolate(app.environment, composeEnv(settings)))).toEqual({
        ...replicaEnv(inCompose, composeReplica, '0.0.0.0', settings),
        PG_TRANSACTION_POOLING: 'off',
      });
      // ... and through PgBouncer with what `up STACK=docker PGBOUNCER=on` sets.
      const pooled = composeTopology(withPgbouncer).replicas[composeReplica.index - 1]!;
      expect(setOnly(interpolate(app.environment, composeEnv(withPgbouncer)))).toEqual(
        replicaEnv(composeTopology(withPgbouncer), pooled, '0.0.0.0', withPgbouncer),
      );
      // ... and with an overload lab's protection (a sub-run's `make up` variables), as natively.
      const shedding = loadSettings({
        SHED_LAG_MS: '25',
        DOWNSTREAM_PROTECTION: 'off',
        INGEST_BACKLOG_LIMIT: '500',
      });
      const labEnv = setOnly(interpolate(app.environment, composeEnv(shedding)));
      expect(labEnv).toEqual({
        ...replicaEnv(composeTopology(shedding), composeReplica, '0.0.0.0', shedding),
        PG_TRANSACTION_POOLING: 'off',
      });
      expect(labEnv).toMatchObject({
        SHED_LAG_MS: '25',
        DOWNSTREAM_PROTECTION: 'off',
        INGEST_BACKLOG_LIMIT: '500',
      });
      expect(app.healthcheck?.test?.join(' ')).toContain('/ready');
      expect(app.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    },
  );

  it('publishes Postgres and Redis on the native stack ports, with healthchecks', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:15/);
    expect(postgres.ports).toEqual([`127.0.0.1:${native.postgres.port}:${inCompose.postgres.port}`]);
    expect(postgres.environment?.POSTGRES_DB).toBe(settings.database);
    expect(postgres.healthcheck?.test).toContain('pg_isready');
    const redis = service('redis');
    expect(redis.ports).toEqual([`127.0.0.1:${native.redis.port}:${inCompose.redis.port}`]);
    expect(redis.healthcheck?.test?.join(' ')).toContain('ping');
  });

  it('limits Postgres to STACK_PG_MAX_CONNECTIONS', () => {
    const command = (env: Record<string, string>) =>
      service('postgres').command?.map((arg) => interpolate({ arg }, env).arg);
    expect(command(composeEnv(settings))).toEqual(['postgres', '-c', 'max_connections=200']);
    const limited = loadSettings({ STACK_PG_MAX_CONNECTIONS: '50' });
    expect(command(composeEnv(limited))).toEqual(['postgres', '-c', 'max_connections=50']);
  });

  it('runs PgBouncer in its profile with the config the native stack renders, on the native port', () => {
    const pgbouncer = service('pgbouncer');
    expect(pgbouncer.image).toMatch(/^edoburu\/pgbouncer:/);
    expect(pgbouncer.profiles).toEqual(['pgbouncer']);
    expect(composeEnv(withPgbouncer).COMPOSE_PROFILES).toBe('pgbouncer');
    expect(composeEnv(settings).COMPOSE_PROFILES).toBeUndefined();
    const endpoint = composeTopology(withPgbouncer).pgbouncer!;
    expect(pgbouncer.ports).toEqual([`127.0.0.1:${settings.pgbouncerPort}:${endpoint.port}`]);
    expect(pgbouncer.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(pgbouncer.configs).toEqual([
      { source: 'pgbouncer-ini', target: '/etc/pgbouncer/pgbouncer.ini' },
      { source: 'pgbouncer-userlist', target: '/etc/pgbouncer/userlist.txt' },
    ]);
    // The replicas' own timeouts, as they read them in the compose network.
    const replica = composeTopology(withPgbouncer).replicas[0]!;
    const api = loadEnv(replicaEnv(composeTopology(withPgbouncer), replica, '0.0.0.0', withPgbouncer));
    expect(compose.configs['pgbouncer-ini']?.content).toBe(
      renderPgbouncerIni({
        listenHost: '0.0.0.0',
        listenPort: endpoint.port,
        postgresHost: inCompose.postgres.host,
        postgresPort: inCompose.postgres.port,
        database: settings.database,
        poolSize: settings.pgbouncerPoolSize,
        authFile: '/etc/pgbouncer/userlist.txt',
        api,
      }),
    );
    expect(compose.configs['pgbouncer-userlist']?.content).toBe(PGBOUNCER_USERLIST);
  });

  it('migrates once, with the same image, after Postgres is healthy', () => {
    const migrate = service('migrate');
    expect(migrate.build?.dockerfile).toBe('services/api/Dockerfile');
    expect(migrate.restart).toBe('no');
    expect(migrate.command?.join(' ')).toContain('migrate-cli');
    expect(migrate.environment).toEqual({ DATABASE_URL: databaseUrl(inCompose) });
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('runs the official nginx image on the same templates, with the values the native renderer computes', () => {
    const gateway = service('gateway');
    expect(gateway.image).toMatch(/^nginx:/);
    expect(gateway.volumes).toEqual(['./gateway:/etc/nginx/templates:ro']);
    expect(gateway.ports).toEqual([`127.0.0.1:${native.gateway.port}:${inCompose.gateway.port}`]);
    const { NGINX_ENVSUBST_OUTPUT_DIR, ...escaped } = gateway.environment ?? {};
    expect(NGINX_ENVSUBST_OUTPUT_DIR).toBe('/etc/nginx');
    // `$$` is compose's escape for `$` (nginx variables such as $http_x_api_key in the quota's key).
    const vars = Object.fromEntries(
      Object.entries(escaped).map(([k, v]) => [k, String(v).replaceAll('$$', '$')]),
    );
    expect(vars).toEqual(
      gatewayVars({
        listen: String(inCompose.gateway.port),
        runDir: '/var/cache/nginx',
        accessLog: '/dev/stdout',
        errorLog: '/dev/stderr',
        balance: 'round_robin',
        replicas: inCompose.replicas,
        readTimeoutS: settings.gatewayReadTimeoutS,
        inspectAllow: COMPOSE_INSPECT_ALLOW,
        statusListen: String(inCompose.gateway.statusPort),
      }),
    );
    // The stub_status server is for the exporter on the compose network: never published.
    expect(gateway.ports?.join(' ')).not.toContain(String(inCompose.gateway.statusPort));
    expect(gateway.depends_on).toEqual(
      Object.fromEntries(native.replicas.map((r) => [r.name, { condition: 'service_healthy' }])),
    );
    expect(gateway.healthcheck?.test?.join(' ')).toContain('/gateway-health');
  });

  it('renders the one Prometheus template with the values the native renderer computes, into a valid config', () => {
    const render = service('prometheus-config');
    expect(render.image).toBe(service('gateway').image); // envsubst from the image already pulled
    expect(render.restart).toBe('no');
    expect(render.volumes).toEqual(['./monitoring:/templates:ro', 'prometheus-config:/rendered']);
    const vars = prometheusVars(inCompose, settings.scrapeInterval);
    expect(render.environment).toEqual(vars);
    // envsubst replaces exactly the listed names ($$ is compose's escape for $), from the one template.
    const script = render.command?.join(' ').replaceAll('$$', '$') ?? '';
    const listed = /envsubst '([^']*)'/.exec(script)?.[1]?.match(/\$\{(\w+)\}/g);
    expect(listed?.map((n) => n.slice(2, -1)).sort()).toEqual(Object.keys(vars).sort());
    expect(script).toMatch(/< \/templates\/prometheus\.yml\.template > \/rendered\/prometheus\.yml$/);

    const text = fillTemplate(
      readFileSync(join(ROOT, 'monitoring/prometheus.yml.template'), 'utf8'),
      vars,
      'PROMETHEUS_',
    );
    const config = parse(text) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: object }[] }[];
    };
    const targets = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((c) => c.targets.map((address) => [job.job_name, address, c.labels])),
    );
    expect(targets).toEqual(scrapeTargets(inCompose).map((t) => [t.job, t.address, t.labels]));
    const dir = mkdtempSync(join(tmpdir(), 'swarmgate-compose-prometheus-'));
    try {
      writeFileSync(join(dir, 'prometheus.yml'), text);
      const promtool = findBinary('promtool');
      expect(promtool, 'promtool is installed (make setup)').toBeDefined();
      const check = spawnSync(promtool!, ['check', 'config', join(dir, 'prometheus.yml')], {
        encoding: 'utf8',
      });
      expect(check.status, check.stderr || check.stdout).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs Prometheus 2 from the official image with the native flags, published on the native port', () => {
    const prometheus = service('prometheus');
    expect(prometheus.image).toMatch(/^prom\/prometheus:v2\./);
    const { prometheus: endpoint } = inCompose.monitoring;
    expect(prometheus.command).toEqual(
      prometheusArgs({
        configFile: '/etc/prometheus/rendered/prometheus.yml',
        dataDir: '/prometheus',
        listen: `:${endpoint.port}`,
        retention: settings.prometheusRetention,
      }),
    );
    expect(prometheus.volumes).toEqual([
      'prometheus-config:/etc/prometheus/rendered:ro',
      'prometheus-data:/prometheus',
    ]);
    expect(prometheus.ports).toEqual([`127.0.0.1:${native.monitoring.prometheus.port}:${endpoint.port}`]);
    // The swarm target is the load generator on the host.
    expect(inCompose.monitoring.swarm.host).toBe('host.docker.internal');
    expect(prometheus.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
    expect(prometheus.depends_on).toEqual({
      'prometheus-config': { condition: 'service_completed_successfully' },
    });
    expect(prometheus.healthcheck?.test?.join(' ')).toContain('/-/ready');
  });

  it('runs each exporter from its official image with the native flags, after what it watches', () => {
    const args = exporterArgs(inCompose, '');
    const m = inCompose.monitoring;
    const cases = [
      ['nginx-exporter', /^nginx\/nginx-prometheus-exporter:/, args.nginx, m.nginxExporter.port, 'gateway'],
      ['redis-exporter', /^oliver006\/redis_exporter:/, args.redis, m.redisExporter.port, 'redis'],
      [
        'postgres-exporter',
        /^prometheuscommunity\/postgres-exporter:/,
        args.postgres,
        m.postgresExporter.port,
        'postgres',
      ],
    ] as const;
    for (const [name, image, command, port, watches] of cases) {
      const exporter = service(name);
      expect(exporter.image, name).toMatch(image);
      expect(exporter.command, name).toEqual(command);
      expect(exporter.ports, name).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(exporter.depends_on, name).toEqual({ [watches]: { condition: 'service_healthy' } });
    }
    expect(service('postgres-exporter').environment).toEqual(postgresExporterEnv(inCompose));
    // Where the native stack has them (the compose network's names aside).
    const nativeArgs = exporterArgs(native, '127.0.0.1');
    expect(nativeArgs.nginx[0]).toBe(
      `--nginx.scrape-uri=http://127.0.0.1:${settings.gatewayStatusPort}/stub_status`,
    );
    expect(args.nginx[0]).toBe(`--nginx.scrape-uri=http://gateway:${settings.gatewayStatusPort}/stub_status`);
  });

  it('builds the API image in stages and runs it as a non-root user', () => {
    const dockerfile = readFileSync(join(ROOT, 'services/api/Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER (?!root\b|0\b)\S+/m);
    expect(runtime).toContain('CMD ["node", "dist/bin/index.js"]');
    // The entry points compose runs are the ones the build stage bundles.
    expect(dockerfile).toContain('services/api/src/index.ts services/api/src/db/migrate-cli.ts');
    expect(dockerfile).toContain('--outdir=services/api/dist/bin');
  });
});
