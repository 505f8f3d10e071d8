import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_INSPECT_ALLOW, gatewayVars } from './gateway-config';
import { loadSettings } from './settings';
import { COMPOSE_REPLICAS, composeTopology, databaseUrl, nativeTopology, replicaEnv } from './topology';

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
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const settings = loadSettings({});
const native = nativeTopology({ ...settings, replicas: COMPOSE_REPLICAS });
const inCompose = composeTopology(settings);
const service = (name: string) => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

describe('docker-compose.yml', () => {
  it('has the native stack parts plus a one-shot migrate service', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['app1', 'app2', 'app3', 'gateway', 'migrate', 'postgres', 'redis'].sort(),
    );
  });

  it.each(native.replicas.map((r, i) => [r.name, r, inCompose.replicas[i]!] as const))(
    '%s: the native port and environment, built from the API Dockerfile, started after the migrations',
    (name, nativeReplica, composeReplica) => {
      const app = service(name);
      expect(app.build?.dockerfile).toBe('services/api/Dockerfile');
      expect(app.ports).toEqual([`127.0.0.1:${nativeReplica.port}:${composeReplica.port}`]);
      expect(app.environment).toEqual(replicaEnv(inCompose, composeReplica, '0.0.0.0', settings));
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
    const { NGINX_ENVSUBST_OUTPUT_DIR, ...vars } = gateway.environment ?? {};
    expect(NGINX_ENVSUBST_OUTPUT_DIR).toBe('/etc/nginx');
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
      }),
    );
    expect(gateway.depends_on).toEqual(
      Object.fromEntries(native.replicas.map((r) => [r.name, { condition: 'service_healthy' }])),
    );
    expect(gateway.healthcheck?.test?.join(' ')).toContain('/gateway-health');
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
