import type { StackSettings } from './settings';

/**
 * What the stack is made of, derived from the settings alone (no I/O): the same shape describes the native stack
 * and, with container host names, the docker-compose one, so tests can hold one against the other.
 */
export interface Replica {
  /** `app1`, `app2`, ...: the INSTANCE_ID, the pid/log file name and the `/appN/` gateway prefix. */
  name: string;
  index: number;
  /** Where the gateway reaches it: 127.0.0.1 natively, the service name under compose. */
  host: string;
  port: number;
}

/** An ingest worker (services/worker): `worker1`, `worker2`, ...: its WORKER_NAME, pid/log file and fault part. */
export interface Worker {
  name: string;
  index: number;
  host: string;
  /** Its HTTP port: /health, /ready, /metrics. */
  port: number;
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface Topology {
  /** `statusPort`: nginx's stub_status server, for the nginx exporter only. */
  gateway: Endpoint & { statusPort: number };
  replicas: Replica[];
  /** The ingest workers, each on its own port natively; empty under compose (one scaled `worker` service). */
  workers: Worker[];
  /** Under compose: the scaled `worker` service, which Prometheus finds by DNS (every container's address). */
  workerService?: Endpoint;
  postgres: Endpoint & { database: string };
  redis: Endpoint;
  /** PgBouncer in transaction pooling mode, when on (PGBOUNCER=on): the replicas' way to Postgres. */
  pgbouncer?: Endpoint & { poolSize: number };
  /** The overload lab's downstream service (services/downstream), which /api/lab/downstream calls. */
  downstream: Endpoint;
  /** Prometheus, the exporters, and where the load generator serves its metrics during a run. */
  monitoring: {
    prometheus: Endpoint;
    nginxExporter: Endpoint;
    redisExporter: Endpoint;
    postgresExporter: Endpoint;
    swarm: Endpoint;
    /** The native supervisor's /metrics (restarts per replica), with SUPERVISE=on only. */
    supervisor?: Endpoint;
  };
}

/** The native topology: everything on 127.0.0.1, replicas on consecutive ports from REPLICA_BASE_PORT. */
export function nativeTopology(s: StackSettings): Topology {
  const host = '127.0.0.1';
  return {
    gateway: { host, port: s.gatewayPort, statusPort: s.gatewayStatusPort },
    replicas: Array.from({ length: s.replicas }, (_, i) => ({
      name: `app${i + 1}`,
      index: i + 1,
      host,
      port: s.replicaBasePort + i,
    })),
    workers: Array.from({ length: s.workers }, (_, i) => ({
      name: `worker${i + 1}`,
      index: i + 1,
      host,
      port: s.workerBasePort + i,
    })),
    postgres: { host, port: s.postgresPort, database: s.database },
    redis: { host, port: s.redisPort },
    downstream: { host, port: s.downstreamPort },
    ...(s.pgbouncer === 'on'
      ? { pgbouncer: { host, port: s.pgbouncerPort, poolSize: s.pgbouncerPoolSize } }
      : {}),
    monitoring: {
      prometheus: { host, port: s.prometheusPort },
      nginxExporter: { host, port: s.nginxExporterPort },
      redisExporter: { host, port: s.redisExporterPort },
      postgresExporter: { host, port: s.postgresExporterPort },
      swarm: { host, port: s.swarmMetricsPort },
      ...(s.supervise === 'on' ? { supervisor: { host, port: s.supervisorPort } } : {}),
    },
  };
}

export const databaseUrl = (t: Topology) =>
  `postgres://postgres@${t.postgres.host}:${t.postgres.port}/${t.postgres.database}`;

/**
 * Where the replicas reach the database: PgBouncer when it is on, else Postgres itself (the migrations, the health
 * check and the exporter always go to Postgres: the migrations hold a session advisory lock).
 */
export const replicaDatabaseUrl = (t: Topology) =>
  t.pgbouncer
    ? `postgres://postgres@${t.pgbouncer.host}:${t.pgbouncer.port}/${t.postgres.database}`
    : databaseUrl(t);

export const redisUrl = (t: Topology) => `redis://${t.redis.host}:${t.redis.port}`;

export const downstreamUrl = (t: Topology) => `http://${t.downstream.host}:${t.downstream.port}`;

export const gatewayUrl = (t: Topology) => `http://${t.gateway.host}:${t.gateway.port}`;

/**
 * The environment of one replica (see services/api/src/env.ts); `host` is the address it binds. A write may run
 * until the gateway gives up on it (`gatewayReadTimeoutS`), never after: the gateway has then answered 504 and
 * the client may have written since.
 */
export function replicaEnv(
  t: Topology,
  r: Replica,
  bindHost: string,
  settings: {
    logLevel: string;
    gatewayReadTimeoutS: number;
    lab: 'on' | 'off';
    ingestBacklogLimit?: number;
    protection?: Record<string, string>;
  },
): Record<string, string> {
  return {
    HOST: bindHost,
    PORT: String(r.port),
    INSTANCE_ID: r.name,
    DATABASE_URL: replicaDatabaseUrl(t),
    REDIS_URL: redisUrl(t),
    LOG_LEVEL: settings.logLevel,
    REQUEST_DEADLINE_MS: String(settings.gatewayReadTimeoutS * 1000),
    // The overload lab (LAB=on): /api/lab/* mounted, its downstream call going to the stack's downstream service.
    LAB_ENDPOINTS: settings.lab,
    DOWNSTREAM_URL: downstreamUrl(t),
    // Behind PgBouncer's transaction pooling: unnamed statements, session settings on PgBouncer's side.
    ...(t.pgbouncer ? { PG_TRANSACTION_POOLING: 'on' } : {}),
    // Past this many entries not yet delivered to a worker, POST /api/events answers 503 (unset: the API's default).
    ...(settings.ingestBacklogLimit !== undefined
      ? { INGEST_BACKLOG_LIMIT: String(settings.ingestBacklogLimit) }
      : {}),
    // The overload lab's protection (SHED_LAG_MS, MEMORY_GUARD_*, DOWNSTREAM_*), those set; else the API's defaults.
    ...settings.protection,
  };
}

/**
 * The environment of one ingest worker (services/worker). It writes to Postgres itself, never through PgBouncer:
 * a worker holds one or two connections for its batches, and its multi-row INSERT needs nothing PgBouncer adds.
 * Batch size and block time only when set, so the worker's own defaults apply otherwise.
 */
export function workerEnv(
  t: Topology,
  w: Worker,
  settings: { logLevel: string; workerBatchSize?: number; workerBlockMs?: number },
): Record<string, string> {
  return {
    WORKER_NAME: w.name,
    WORKER_PORT: String(w.port),
    DATABASE_URL: databaseUrl(t),
    REDIS_URL: redisUrl(t),
    LOG_LEVEL: settings.logLevel,
    ...(settings.workerBatchSize !== undefined
      ? { WORKER_BATCH_SIZE: String(settings.workerBatchSize) }
      : {}),
    ...(settings.workerBlockMs !== undefined ? { WORKER_BLOCK_MS: String(settings.workerBlockMs) } : {}),
  };
}

/** Replicas in docker-compose.yml: a fixed three, like the REPLICAS default. */
export const COMPOSE_REPLICAS = 3;

/**
 * The docker-compose topology: service names as hosts, the replicas, the gateway, Prometheus and the exporters on
 * the same ports as natively, Postgres and Redis on their images' ports inside the network (published on the host
 * at the native ports). The load generator runs on the host, which a container reaches as host.docker.internal.
 */
export function composeTopology(s: StackSettings): Topology {
  const native = nativeTopology({ ...s, replicas: COMPOSE_REPLICAS });
  return {
    gateway: { ...native.gateway, host: 'gateway' },
    replicas: native.replicas.map((r) => ({ ...r, host: r.name })),
    // One `worker` service scaled to WORKERS (deploy.replicas): no fixed names, every container on the same port.
    workers: [],
    workerService: { host: 'worker', port: s.workerBasePort },
    postgres: { host: 'postgres', port: 5432, database: s.database },
    redis: { host: 'redis', port: 6379 },
    downstream: { ...native.downstream, host: 'downstream' },
    ...(native.pgbouncer ? { pgbouncer: { ...native.pgbouncer, host: 'pgbouncer', port: 6432 } } : {}),
    monitoring: {
      prometheus: { ...native.monitoring.prometheus, host: 'prometheus' },
      nginxExporter: { ...native.monitoring.nginxExporter, host: 'nginx-exporter' },
      redisExporter: { ...native.monitoring.redisExporter, host: 'redis-exporter' },
      postgresExporter: { ...native.monitoring.postgresExporter, host: 'postgres-exporter' },
      swarm: { ...native.monitoring.swarm, host: 'host.docker.internal' },
    },
  };
}
