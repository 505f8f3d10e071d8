import pg from 'pg';
import { redisPing } from '../lib/redis';
import type { HealthRow } from './health-table';
import { json, probe } from './http-probe';
import { readBacklog } from './ingest-backlog';
import { EXPORTER_UP, type ScrapeTarget } from './monitoring-config';
import { activeTargets, prometheusReady, prometheusVersion } from './prometheus-api';
import { type TargetState, targetStates } from './scrape-targets';
import { databaseUrl, type Endpoint, gatewayUrl, type Topology, type Worker } from './topology';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function gatewayRow(base: string): Promise<HealthRow> {
  try {
    const res = await probe(`${base}/gateway-health`);
    return res.status === 200
      ? { part: 'gateway', status: 'up', detail: `${base} (${res.ms.toFixed(1)} ms)` }
      : { part: 'gateway', status: 'down', detail: `${base}/gateway-health answered ${res.status}` };
  } catch (err) {
    return { part: 'gateway', status: 'down', detail: message(err) };
  }
}

/** A replica as seen through the gateway's /appN/ prefix: liveness (instance, uptime) and readiness. */
async function replicaRow(base: string, name: string): Promise<HealthRow> {
  try {
    const [health, ready] = await Promise.all([
      probe(`${base}/${name}/health`),
      probe(`${base}/${name}/ready`),
    ]);
    const body = json(health);
    if (health.status !== 200 || !body) {
      const error = (json(health)?.error as { message?: string } | undefined)?.message;
      return {
        part: name,
        status: 'down',
        detail: `/${name}/health answered ${health.status}${error ? `: ${error}` : ''}`,
      };
    }
    const readyBody = json(ready);
    const down = (readyBody?.error as { details?: { down?: string[] } } | undefined)?.details?.down;
    return {
      part: name,
      status: ready.status === 200 ? 'up' : 'degraded',
      instance: String(body.instance),
      uptimeS: Number(body.uptimeS),
      ready: ready.status === 200,
      detail: down ? `not ready: ${down.join(', ')} down` : String(health.headers['x-upstream'] ?? ''),
    };
  } catch (err) {
    return { part: name, status: 'down', detail: message(err) };
  }
}

/** The sum of a metric's samples in a Prometheus text exposition (every label set); undefined when absent. */
export function metricSum(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))) {
    sum = (sum ?? 0) + Number(match[1]);
  }
  return sum;
}

/** An ingest worker, directly on its port: ready or not, and how many events it has written (its /metrics). */
export async function workerRow(w: Worker): Promise<HealthRow> {
  const where = `${w.host}:${w.port}`;
  try {
    const [ready, metrics, health] = await Promise.all([
      probe(`http://${where}/ready`),
      probe(`http://${where}/metrics`),
      probe(`http://${where}/health`),
    ]);
    const processed = metricSum(metrics.body, 'ingest_events_processed_total');
    const uptimeS = Number(json(health)?.uptimeS);
    return {
      part: w.name,
      status: ready.status === 200 ? 'up' : 'degraded',
      instance: w.name,
      ...(Number.isFinite(uptimeS) ? { uptimeS } : {}),
      ready: ready.status === 200,
      detail: `${where}, ${processed ?? '?'} events processed`,
    };
  } catch (err) {
    return { part: w.name, status: 'down', detail: `${where}: ${message(err)}` };
  }
}

/** The ingest stream's backlog (not yet delivered) and pending entries, from Redis itself. */
export async function backlogRow(t: Topology): Promise<HealthRow> {
  try {
    const b = await readBacklog(t.redis);
    return {
      part: 'ingest',
      status: 'up',
      detail: `backlog ${b.backlog}, pending ${b.pending} (stream length ${b.length})`,
    };
  } catch (err) {
    return { part: 'ingest', status: 'down', detail: `backlog unknown: ${message(err)}` };
  }
}

async function postgresRow(t: Topology): Promise<HealthRow> {
  const client = new pg.Client({ connectionString: databaseUrl(t), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return {
      part: 'postgres',
      status: 'up',
      detail: `${t.postgres.host}:${t.postgres.port} v${rows[0]?.server_version}`,
    };
  } catch (err) {
    return { part: 'postgres', status: 'down', detail: message(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * PgBouncer: a query through it to Postgres, and its admin console's SHOW POOLS for the database (server
 * connections in use of the pool, clients waiting).
 */
async function pgbouncerRow(t: Topology): Promise<HealthRow> {
  const e = t.pgbouncer!;
  const where = `${e.host}:${e.port}`;
  const connect = async (database: string) => {
    const client = new pg.Client({
      connectionString: `postgres://postgres@${where}/${database}`,
      connectionTimeoutMillis: 2000,
      query_timeout: 2000,
    });
    await client.connect();
    return client;
  };
  const clients: pg.Client[] = [];
  try {
    const db = await connect(t.postgres.database);
    clients.push(db);
    await db.query('SELECT 1');
    const admin = await connect('pgbouncer');
    clients.push(admin);
    const { rows } = await admin.query<Record<string, string>>('SHOW POOLS');
    const pool = rows.find((r) => r.database === t.postgres.database);
    const servers = pool ? Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used) : 0;
    return {
      part: 'pgbouncer',
      status: 'up',
      detail: `${where}, transaction pooling, ${servers} of ${e.poolSize} server connections, ${pool?.cl_waiting ?? 0} clients waiting`,
    };
  } catch (err) {
    return { part: 'pgbouncer', status: 'down', detail: `${where}: ${message(err)}` };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

async function redisRow(t: Topology): Promise<HealthRow> {
  const ok = await redisPing(t.redis.port, t.redis.host);
  return {
    part: 'redis',
    status: ok ? 'up' : 'down',
    detail: `${t.redis.host}:${t.redis.port}${ok ? '' : ' (no PONG)'}`,
  };
}

/** An exporter: up when its /metrics says it reaches what it watches (`nginx_up 1`), degraded when not. */
async function exporterRow(part: string, e: Endpoint, upMetric: string): Promise<HealthRow> {
  const where = `${e.host}:${e.port}`;
  try {
    const res = await probe(`http://${where}/metrics`);
    if (res.status !== 200)
      return { part, status: 'down', detail: `${where}/metrics answered ${res.status}` };
    const value = new RegExp(`^${upMetric}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(res.body)?.[1] ?? 'absent';
    return { part, status: value === '1' ? 'up' : 'degraded', detail: `${where}, ${upMetric} ${value}` };
  } catch (err) {
    return { part, status: 'down', detail: message(err) };
  }
}

/** Prometheus itself and, in `targets`, each scrape target as it sees them (empty when it does not answer). */
async function prometheusHealth(
  e: Endpoint,
  expected: ScrapeTarget[],
): Promise<{ row: HealthRow; targets: TargetState[] }> {
  const base = `http://${e.host}:${e.port}`;
  try {
    if (!(await prometheusReady(base))) {
      return {
        row: { part: 'prometheus', status: 'down', detail: `${base}/-/ready: not ready` },
        targets: [],
      };
    }
    const [version, active] = await Promise.all([prometheusVersion(base), activeTargets(base)]);
    const targets = targetStates(expected, active, Date.now());
    const up = targets.filter((t) => t.health === 'up').length;
    const required = targets.filter((t) => t.required);
    return {
      row: {
        part: 'prometheus',
        status: required.every((t) => t.health === 'up') ? 'up' : 'degraded',
        detail: `${base} v${version}, ${up} of ${targets.length} targets up`,
      },
      targets,
    };
  } catch (err) {
    return { row: { part: 'prometheus', status: 'down', detail: message(err) }, targets: [] };
  }
}

export interface StackHealth {
  parts: HealthRow[];
  /** Prometheus's scrape targets; empty without monitoring or when Prometheus does not answer. */
  targets: TargetState[];
}

/**
 * Asks every part of the stack, the way a client would (through the published ports), in parallel; with
 * `expectedTargets` (MONITOR=on) also Prometheus, each exporter and each scrape target.
 */
export async function collectHealth(t: Topology, expectedTargets?: ScrapeTarget[]): Promise<StackHealth> {
  const base = gatewayUrl(t);
  const m = t.monitoring;
  const [parts, monitoring] = await Promise.all([
    Promise.all([
      gatewayRow(base),
      ...t.replicas.map((r) => replicaRow(base, r.name)),
      ...t.workers.map(workerRow),
      postgresRow(t),
      ...(t.pgbouncer ? [pgbouncerRow(t)] : []),
      redisRow(t),
      backlogRow(t),
    ]),
    expectedTargets
      ? Promise.all([
          prometheusHealth(m.prometheus, expectedTargets),
          exporterRow('nginx-exporter', m.nginxExporter, EXPORTER_UP.nginx),
          exporterRow('redis-exporter', m.redisExporter, EXPORTER_UP.redis),
          exporterRow('postgres-exporter', m.postgresExporter, EXPORTER_UP.postgres),
        ])
      : undefined,
  ]);
  if (!monitoring) return { parts, targets: [] };
  const [prometheus, ...exporters] = monitoring;
  return { parts: [...parts, prometheus.row, ...exporters], targets: prometheus.targets };
}
