import pg from 'pg';
import { redisPing } from '../lib/redis';
import type { HealthRow } from './health-table';
import { json, probe } from './http-probe';
import { databaseUrl, gatewayUrl, type Topology } from './topology';

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

async function redisRow(t: Topology): Promise<HealthRow> {
  const ok = await redisPing(t.redis.port, t.redis.host);
  return {
    part: 'redis',
    status: ok ? 'up' : 'down',
    detail: `${t.redis.host}:${t.redis.port}${ok ? '' : ' (no PONG)'}`,
  };
}

/** Asks every part of the stack, the way a client would (through the published ports), in parallel. */
export function collectHealth(t: Topology): Promise<HealthRow[]> {
  const base = gatewayUrl(t);
  return Promise.all([
    gatewayRow(base),
    ...t.replicas.map((r) => replicaRow(base, r.name)),
    postgresRow(t),
    redisRow(t),
  ]);
}
