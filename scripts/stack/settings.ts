import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import type { Quota } from './gateway-config';

/**
 * The stack runner's settings, read from the environment in this one place (`make up REPLICAS=5` passes them).
 *
 * Defaults: STACK auto (docker when a Docker engine answers, else native), REPLICAS 3, BALANCE round_robin,
 * GATEWAY_PORT 8080, REPLICA_BASE_PORT 8001 (app1 on 8001, app2 on 8002, ...), STACK_PG_PORT 55432,
 * STACK_REDIS_PORT 56379 (not 5432/6379, so a system Postgres or Redis is never touched), STACK_DIR `.stack`,
 * STACK_UP_TIMEOUT_S 90, LOG_LEVEL info, GATEWAY_READ_TIMEOUT_S 10, GATEWAY_INSPECT_ALLOW `127.0.0.0/8 ::1`,
 * GATEWAY_STATUS_PORT 8081 (nginx's stub_status, loopback only); MONITOR on (Prometheus and the exporters start
 * with the stack), PROMETHEUS_PORT 9090, NGINX_EXPORTER_PORT 9113, REDIS_EXPORTER_PORT 9121,
 * POSTGRES_EXPORTER_PORT 9187 (the exporters' usual ports), SWARM_METRICS_PORT 9646 (where Prometheus looks for the
 * load generator during a run), SCRAPE_INTERVAL 1s, PROMETHEUS_RETENTION 1d; PGBOUNCER off (on: the replicas reach
 * Postgres through PgBouncer in transaction pooling mode), PGBOUNCER_PORT 56432, PGBOUNCER_POOL_SIZE 20,
 * STACK_PG_MAX_CONNECTIONS 200; QUOTA_RATE off (unset or 0; `50r/s` or `600r/m`: per-client quotas at the
 * gateway), QUOTA_BURST 20, QUOTA_KEY_HEADER X-API-Key; LAB off (on: the replicas mount the overload lab's
 * endpoints, LAB_ENDPOINTS=on), DOWNSTREAM_PORT 8500 (the lab's downstream service, always started natively);
 * SUPERVISE off (on: a supervisor process restarts a replica that dies, with back-off), SUPERVISOR_PORT 9648
 * (its /metrics, loopback only); WORKERS 1 (ingest workers, services/worker; 0 runs none, at most 8),
 * WORKER_BASE_PORT 8601 (worker1's /health, /ready and /metrics on 8601, worker2 on 8602, ...), and unset by
 * default (the worker's or the API's own default applies): WORKER_BATCH_SIZE, WORKER_BLOCK_MS (passed to the
 * workers), INGEST_BACKLOG_LIMIT (passed to the replicas, which answer 503 past it).
 * A bad value throws a `SettingsError` naming the setting and what it accepts.
 */
export interface StackSettings {
  stack: 'auto' | 'docker' | 'native';
  replicas: number;
  balance: 'round_robin' | 'least_conn';
  gatewayPort: number;
  replicaBasePort: number;
  postgresPort: number;
  redisPort: number;
  database: string;
  /** Absolute path of the directory that holds pid files, logs, data and the rendered gateway config. */
  dir: string;
  upTimeoutMs: number;
  logLevel: string;
  /** The gateway's proxy_read_timeout: how long a replica may stay silent before the request is a 504 (or retried). */
  gatewayReadTimeoutS: number;
  /** Networks whose clients may inspect replicas (/appN/..., the X-Upstream header); 127.0.0.1 always among them. */
  gatewayInspectAllow: string[];
  /** nginx's stub_status server (gateway.d/status.conf), which the nginx exporter reads. */
  gatewayStatusPort: number;
  /** Whether `up` also runs Prometheus and the exporters. */
  monitor: 'on' | 'off';
  prometheusPort: number;
  nginxExporterPort: number;
  redisExporterPort: number;
  postgresExporterPort: number;
  /** The load generator's /metrics, scraped as job `swarm` (down between runs). */
  swarmMetricsPort: number;
  /** How often Prometheus scrapes every target, as Prometheus writes durations: `1s`, `500ms`, `15s`. */
  scrapeInterval: string;
  /** How long Prometheus keeps samples: `1d`, `12h`. */
  prometheusRetention: string;
  /** Whether the replicas reach Postgres through PgBouncer (transaction pooling); the migrations never do. */
  pgbouncer: 'on' | 'off';
  pgbouncerPort: number;
  /** PgBouncer's server connections to Postgres for the database (default_pool_size): at most this many. */
  pgbouncerPoolSize: number;
  /** Postgres's max_connections (read when Postgres starts: `make fault DO=restart PART=postgres` applies it). */
  postgresMaxConnections: number;
  /** Per-client quotas at the gateway (gateway.d/quota.conf); `rate` null when off. */
  quota: Quota;
  /** Whether the replicas mount the overload lab's endpoints (/api/lab/*): LAB_ENDPOINTS on their side. */
  lab: 'on' | 'off';
  /** The downstream service the lab's /api/lab/downstream calls (services/downstream). */
  downstreamPort: number;
  /** Whether `up` runs the supervisor, which restarts a replica that dies (native stack only). */
  supervise: 'on' | 'off';
  /** The supervisor's /metrics (restarts per replica), on 127.0.0.1. */
  supervisorPort: number;
  /** Ingest workers (services/worker) `up` starts natively: worker1..workerN; 0 runs none. */
  workers: number;
  /** worker1's HTTP port (/health, /ready, /metrics); worker2 on the next, and so on. */
  workerBasePort: number;
  /** Passed through when set (WORKER_BATCH_SIZE, WORKER_BLOCK_MS to the workers, INGEST_BACKLOG_LIMIT to the replicas). */
  workerBatchSize?: number;
  workerBlockMs?: number;
  ingestBacklogLimit?: number;
  /**
   * The overload lab's protection settings that are set (PROTECTION_KEYS), passed to every replica as written: the
   * API checks them (services/api/src/env.ts) and says what is wrong; unset, the API's defaults apply.
   */
  protection: Record<string, string>;
}

/** The replicas' protection settings (services/api/README.md "Overload lab"), passed through by `make up`. */
export const PROTECTION_KEYS = [
  'SHED_LAG_MS',
  'SHED_COSTLY_MS',
  'MEMORY_GUARD_MB',
  'MEMORY_GUARD_HEAP_FRACTION',
  'DOWNSTREAM_PROTECTION',
  'DOWNSTREAM_TIMEOUT_MS',
  'DOWNSTREAM_BREAKER_FAILURES',
  'DOWNSTREAM_BREAKER_HALF_OPEN_MS',
  'DOWNSTREAM_BULKHEAD_LIMIT',
  'DOWNSTREAM_BULKHEAD_QUEUE',
] as const;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

type Source = Record<string, string | undefined>;

export const MAX_REPLICAS = 16;
export const MAX_WORKERS = 8;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];
export const DEFAULT_INSPECT_ALLOW = ['127.0.0.0/8', '::1'];

/**
 * An address or a network in CIDR notation, as nginx's `geo` takes it: `127.0.0.1`, `10.0.0.0/8`, `::1`,
 * `fd00::/8`. Example: `isNetwork('127.0.0.0/8')` → true, `isNetwork('127.0.0.0/33')` → false.
 */
export function isNetwork(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** Whether `address` (IPv4) is one of `networks` or inside one of them (entries as `isNetwork` accepts them). */
function covers(networks: string[], address: string): boolean {
  const list = new BlockList();
  for (const network of networks) {
    const [base = '', prefix] = network.split('/');
    const type = isIP(base) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(base, type);
    else list.addSubnet(base, Number(prefix), type);
  }
  return list.check(address, 'ipv4');
}

const DURATION = /^([0-9]{1,6})(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as Prometheus writes one, with a single unit, in milliseconds (`'1s'` → 1000); NaN when malformed. */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
}

/**
 * QUOTA_RATE as nginx's limit_req takes it: `50r/s` or `600r/m` (whole requests, 1 to 1,000,000); unset, empty or
 * `0` turns quotas off (null). Example: `quotaRate('50r/s', [])` → `'50r/s'`, `quotaRate('0', [])` → null.
 */
export function quotaRate(raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined || raw === '0' || raw === 'off') return null;
  const match = /^([0-9]{1,7})r\/(s|m)$/.exec(raw);
  if (!match || Number(match[1]) < 1 || Number(match[1]) > 1_000_000) {
    problems.push(
      `QUOTA_RATE: must be requests per second or minute like 50r/s or 600r/m (1 to 1000000), or 0 for no quota (got ${JSON.stringify(raw)})`,
    );
    return null;
  }
  return raw;
}

export function loadSettings(source: Source = process.env, root = process.cwd()): StackSettings {
  const problems: string[] = [];
  const read = (key: string) => (source[key] === '' ? undefined : source[key]);

  const int = (key: string, fallback: number, min: number, max: number) => {
    const raw = read(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    }
    return value;
  };
  // Unset: the process's own default applies (the worker's batch size, the API's backlog limit).
  const optionalInt = (key: string, min: number, max: number) =>
    read(key) === undefined ? undefined : int(key, min, min, max);
  const oneOf = <T extends string>(key: string, fallback: T, accepted: readonly T[]): T => {
    const raw = read(key) ?? fallback;
    if (!accepted.includes(raw as T)) {
      problems.push(`${key}: must be one of ${accepted.join(', ')} (got ${JSON.stringify(raw)})`);
    }
    return raw as T;
  };
  // Kept as written (Prometheus takes the same syntax); bounds checked in milliseconds.
  const duration = (key: string, fallback: string, min: string, max: string) => {
    const raw = read(key) ?? fallback;
    const ms = durationMs(raw);
    if (!(ms >= durationMs(min) && ms <= durationMs(max))) {
      problems.push(
        `${key}: must be a duration like ${fallback} (a whole number and one of ms, s, m, h, d) from ${min} to ${max} (got ${JSON.stringify(raw)})`,
      );
    }
    return raw;
  };
  // A list separated by spaces or commas. It must let 127.0.0.1 in: `up` waits until each replica answers through
  // its /appN/ prefix, and `make health` reads them there, both from this machine.
  const networks = (key: string, fallback: string[]) => {
    const raw = read(key);
    if (raw === undefined) return fallback;
    const entries = raw.split(/[\s,]+/).filter(Boolean);
    if (entries.length === 0 || !entries.every(isNetwork)) {
      problems.push(
        `${key}: must be addresses or networks like 127.0.0.1 10.0.0.0/8 ::1 (got ${JSON.stringify(raw)})`,
      );
    } else if (!covers(entries, '127.0.0.1')) {
      problems.push(
        `${key}: must let 127.0.0.1 in, from where \`make up\` and \`make health\` check each replica through the gateway (got ${JSON.stringify(raw)})`,
      );
    }
    return entries;
  };

  const settings: StackSettings = {
    stack: oneOf('STACK', 'auto', ['auto', 'docker', 'native'] as const),
    replicas: int('REPLICAS', 3, 1, MAX_REPLICAS),
    balance: oneOf('BALANCE', 'round_robin', ['round_robin', 'least_conn'] as const),
    gatewayPort: int('GATEWAY_PORT', 8080, 1, 65535),
    replicaBasePort: int('REPLICA_BASE_PORT', 8001, 1, 65535 - MAX_REPLICAS),
    postgresPort: int('STACK_PG_PORT', 55432, 1, 65535),
    redisPort: int('STACK_REDIS_PORT', 56379, 1, 65535),
    database: read('STACK_DATABASE') ?? 'swarmgate',
    dir: resolve(root, read('STACK_DIR') ?? '.stack'),
    upTimeoutMs: int('STACK_UP_TIMEOUT_S', 90, 1, 3600) * 1000,
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    gatewayReadTimeoutS: int('GATEWAY_READ_TIMEOUT_S', 10, 1, 300),
    gatewayInspectAllow: networks('GATEWAY_INSPECT_ALLOW', DEFAULT_INSPECT_ALLOW),
    gatewayStatusPort: int('GATEWAY_STATUS_PORT', 8081, 1, 65535),
    monitor: oneOf('MONITOR', 'on', ['on', 'off'] as const),
    prometheusPort: int('PROMETHEUS_PORT', 9090, 1, 65535),
    nginxExporterPort: int('NGINX_EXPORTER_PORT', 9113, 1, 65535),
    redisExporterPort: int('REDIS_EXPORTER_PORT', 9121, 1, 65535),
    postgresExporterPort: int('POSTGRES_EXPORTER_PORT', 9187, 1, 65535),
    swarmMetricsPort: int('SWARM_METRICS_PORT', 9646, 1, 65535),
    // Load tests last seconds to minutes: a sample a second shows a spike a 15 s scrape would average away.
    scrapeInterval: duration('SCRAPE_INTERVAL', '1s', '100ms', '5m'),
    prometheusRetention: duration('PROMETHEUS_RETENTION', '1d', '1h', '365d'),
    pgbouncer: oneOf('PGBOUNCER', 'off', ['on', 'off'] as const),
    pgbouncerPort: int('PGBOUNCER_PORT', 56432, 1, 65535),
    pgbouncerPoolSize: int('PGBOUNCER_POOL_SIZE', 20, 1, 1000),
    postgresMaxConnections: int('STACK_PG_MAX_CONNECTIONS', 200, 10, 10_000),
    quota: {
      rate: quotaRate(read('QUOTA_RATE'), problems),
      burst: int('QUOTA_BURST', 20, 0, 100_000),
      keyHeader: read('QUOTA_KEY_HEADER') ?? 'X-API-Key',
    },
    lab: oneOf('LAB', 'off', ['on', 'off'] as const),
    downstreamPort: int('DOWNSTREAM_PORT', 8500, 1, 65535),
    // Off by default: the failure lab's failover kills app2 and expects it to stay dead until its scheduled start.
    supervise: oneOf('SUPERVISE', 'off', ['on', 'off'] as const),
    supervisorPort: int('SUPERVISOR_PORT', 9648, 1, 65535),
    workers: int('WORKERS', 1, 0, MAX_WORKERS),
    workerBasePort: int('WORKER_BASE_PORT', 8601, 1, 65535 - MAX_WORKERS),
    workerBatchSize: optionalInt('WORKER_BATCH_SIZE', 1, 10_000),
    workerBlockMs: optionalInt('WORKER_BLOCK_MS', 1, 60_000),
    ingestBacklogLimit: optionalInt('INGEST_BACKLOG_LIMIT', 1, 100_000_000),
    protection: Object.fromEntries(
      PROTECTION_KEYS.flatMap((key) => {
        const raw = read(key);
        return raw === undefined ? [] : [[key, raw]];
      }),
    ),
  };
  // A header name nginx can make a variable of ($http_x_api_key): letters, digits and dashes.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(settings.quota.keyHeader)) {
    problems.push(
      `QUOTA_KEY_HEADER: must be a header name of letters, digits and "-", like X-API-Key (got ${JSON.stringify(settings.quota.keyHeader)})`,
    );
  }
  if (!/^[A-Za-z0-9_]{1,63}$/.test(settings.database)) {
    problems.push(
      `STACK_DATABASE: must be 1-63 letters, digits or "_" (got ${JSON.stringify(settings.database)})`,
    );
  }
  const ports: [string, number][] = [
    ['GATEWAY_PORT', settings.gatewayPort],
    ['STACK_PG_PORT', settings.postgresPort],
    ['STACK_REDIS_PORT', settings.redisPort],
    ['GATEWAY_STATUS_PORT', settings.gatewayStatusPort],
    ['PROMETHEUS_PORT', settings.prometheusPort],
    ['NGINX_EXPORTER_PORT', settings.nginxExporterPort],
    ['REDIS_EXPORTER_PORT', settings.redisExporterPort],
    ['POSTGRES_EXPORTER_PORT', settings.postgresExporterPort],
    ['SWARM_METRICS_PORT', settings.swarmMetricsPort],
    ['PGBOUNCER_PORT', settings.pgbouncerPort],
    ['DOWNSTREAM_PORT', settings.downstreamPort],
    ['SUPERVISOR_PORT', settings.supervisorPort],
  ];
  // Runs of consecutive ports: the replicas' and the workers' (none with WORKERS=0).
  const runs: { setting: string; what: string; from: number; to: number }[] = [
    {
      setting: 'REPLICA_BASE_PORT',
      what: "the replicas' ports",
      from: settings.replicaBasePort,
      to: settings.replicaBasePort + settings.replicas - 1,
    },
    ...(settings.workers > 0
      ? [
          {
            setting: 'WORKER_BASE_PORT',
            what: "the workers' ports",
            from: settings.workerBasePort,
            to: settings.workerBasePort + settings.workers - 1,
          },
        ]
      : []),
  ];
  ports.forEach(([key, port], i) => {
    for (const run of runs) {
      if (port >= run.from && port <= run.to) {
        problems.push(`${key}: ${port} collides with ${run.what} ${run.from}-${run.to} (${run.setting})`);
      }
    }
    const earlier = ports.slice(0, i).find(([, other]) => other === port);
    if (earlier)
      problems.push(`${key}: ${port} is ${earlier[0]} already; every part needs a port of its own`);
  });
  const [replicaRun, workerRun] = runs;
  if (workerRun && workerRun.from <= replicaRun!.to && replicaRun!.from <= workerRun.to) {
    problems.push(
      `WORKER_BASE_PORT: the workers' ports ${workerRun.from}-${workerRun.to} overlap the replicas' ${replicaRun!.from}-${replicaRun!.to} (REPLICA_BASE_PORT)`,
    );
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
