import type { TemplateVars } from './template';
import type { Endpoint, Topology } from './topology';

/**
 * What Prometheus scrapes and how the exporters are started, derived from a topology alone (no I/O). The native
 * runner renders monitoring/prometheus.yml.template with `prometheusVars` and starts the exporters with
 * `exporterArgs`; docker-compose.yml carries the same values for its topology (the compose test checks it).
 */
export type PrometheusVars = TemplateVars<'PROMETHEUS_'>;

/** One scrape target: its job, the address Prometheus scrapes, and the stack part whose log explains a failure. */
export interface ScrapeTarget {
  job: 'prometheus' | 'api' | 'worker' | 'nginx' | 'redis' | 'postgres' | 'supervisor' | 'swarm';
  address: string;
  part: string;
  /** False for `swarm`: the load generator serves its metrics only during a run. */
  required: boolean;
  /** The labels the config gives the target (the api job's `instance` and `replica`, the worker job's `worker`). */
  labels?: Record<string, string>;
}

const address = (e: Endpoint) => `${e.host}:${e.port}`;

/** Every target, in the order the config lists the jobs. */
export function scrapeTargets(t: Topology): ScrapeTarget[] {
  const m = t.monitoring;
  return [
    { job: 'prometheus', address: address(m.prometheus), part: 'prometheus', required: true },
    ...t.replicas.map((r) => ({
      job: 'api' as const,
      address: address(r),
      part: r.name,
      required: true,
      labels: { instance: r.name, replica: r.name },
    })),
    // The ingest workers, each under its own name (natively; compose's scaled service is found by DNS instead).
    ...t.workers.map((w) => ({
      job: 'worker' as const,
      address: address(w),
      part: w.name,
      required: true,
      labels: { instance: w.name, worker: w.name },
    })),
    { job: 'nginx', address: address(m.nginxExporter), part: 'nginx-exporter', required: true },
    { job: 'redis', address: address(m.redisExporter), part: 'redis-exporter', required: true },
    { job: 'postgres', address: address(m.postgresExporter), part: 'postgres-exporter', required: true },
    // The native supervisor (SUPERVISE=on): `up` starts it before it waits for the targets.
    ...(m.supervisor
      ? [{ job: 'supervisor' as const, address: address(m.supervisor), part: 'supervisor', required: true }]
      : []),
    { job: 'swarm', address: address(m.swarm), part: 'swarm', required: false },
  ];
}

/** The values of monitoring/prometheus.yml.template's placeholders. */
export function prometheusVars(t: Topology, scrapeInterval: string): PrometheusVars {
  const targets = scrapeTargets(t);
  const one = (job: ScrapeTarget['job']) => targets.find((x) => x.job === job)!.address;
  // JSON is YAML's flow style: one line, so envsubst can carry it in one environment variable.
  const api = targets.filter((x) => x.job === 'api').map((x) => ({ targets: [x.address], labels: x.labels }));
  return {
    PROMETHEUS_SCRAPE_INTERVAL: scrapeInterval,
    PROMETHEUS_SELF_TARGET: one('prometheus'),
    PROMETHEUS_API_TARGETS: JSON.stringify(api),
    PROMETHEUS_NGINX_TARGET: one('nginx'),
    PROMETHEUS_REDIS_TARGET: one('redis'),
    PROMETHEUS_POSTGRES_TARGET: one('postgres'),
    PROMETHEUS_SWARM_TARGET: one('swarm'),
    PROMETHEUS_WORKER_TARGETS: JSON.stringify(
      targets.filter((x) => x.job === 'worker').map((x) => ({ targets: [x.address], labels: x.labels })),
    ),
    // Compose scales one `worker` service: Prometheus asks its DNS name for every container's address.
    PROMETHEUS_WORKER_DNS: JSON.stringify(
      t.workerService ? [{ names: [t.workerService.host], type: 'A', port: t.workerService.port }] : [],
    ),
    // An empty list without a supervisor (SUPERVISE=off, docker-compose): the job then scrapes nothing.
    PROMETHEUS_SUPERVISOR_TARGETS: JSON.stringify(
      targets.filter((x) => x.job === 'supervisor').map((x) => ({ targets: [x.address] })),
    ),
  };
}

export interface PrometheusOptions {
  configFile: string;
  dataDir: string;
  /** `127.0.0.1:9090` natively, `:9090` in a container. */
  listen: string;
  /** PROMETHEUS_RETENTION: samples older than this are dropped. */
  retention: string;
}

/** Prometheus's command line (the same flags natively and in the prom/prometheus image). */
export function prometheusArgs(o: PrometheusOptions): string[] {
  return [
    `--config.file=${o.configFile}`,
    `--storage.tsdb.path=${o.dataDir}`,
    `--storage.tsdb.retention.time=${o.retention}`,
    `--web.listen-address=${o.listen}`,
  ];
}

/**
 * Each exporter's command line. `bind` is the address they listen on: `127.0.0.1` natively, empty (every
 * interface) in a container. Flags are written `--name=value`, which Debian's packages (Go's flag package or
 * kingpin) and the official images (kingpin) all read.
 */
export function exporterArgs(t: Topology, bind: string) {
  const m = t.monitoring;
  const listen = (e: Endpoint) => `--web.listen-address=${bind}:${e.port}`;
  return {
    nginx: [
      `--nginx.scrape-uri=http://${t.gateway.host}:${t.gateway.statusPort}/stub_status`,
      listen(m.nginxExporter),
    ],
    redis: [`--redis.addr=redis://${address(t.redis)}`, listen(m.redisExporter)],
    postgres: [listen(m.postgresExporter)],
  };
}

/** The Postgres exporter reads its connection from the environment (DATA_SOURCE_NAME), never from a flag. */
export function postgresExporterEnv(t: Topology): { DATA_SOURCE_NAME: string } {
  return {
    DATA_SOURCE_NAME: `postgresql://postgres@${address(t.postgres)}/${t.postgres.database}?sslmode=disable`,
  };
}

/** The metric each exporter sets to 1 once it reaches what it watches (it serves /metrics either way). */
export const EXPORTER_UP = { nginx: 'nginx_up', redis: 'redis_up', postgres: 'pg_up' } as const;
