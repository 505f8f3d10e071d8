import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downTestStack, type TestStack, upTestStack } from '../../gateway/test/support/stack';
import { freePort } from '../lib/ports';

const POOL_SIZE = 4;

let stack: TestStack;
const gateway = () => `http://127.0.0.1:${stack.gatewayPort}`;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gateway()}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const connect = async (port: number, database: string) => {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/${database}` });
  await client.connect();
  return client;
};

// Three replicas, each with its own pool of 10, through PgBouncer with 4 server connections.
describe('PGBOUNCER=on', () => {
  beforeAll(async () => {
    stack = await upTestStack(3, {
      MONITOR: 'off',
      PGBOUNCER: 'on',
      PGBOUNCER_PORT: String(await freePort()),
      PGBOUNCER_POOL_SIZE: String(POOL_SIZE),
    });
  });
  afterAll(() => downTestStack(stack));

  it('serves the API through PgBouncer: create, read, update, delete through the gateway', async () => {
    const email = `pooled-${Date.now()}@example.com`;
    const created = await call('POST', '/api/users', { email, name: 'Pooled' });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect((await call('GET', `/api/users/${id}`)).body).toMatchObject({ email, version: 1 });
    const updated = await call('PATCH', `/api/users/${id}`, { name: 'Renamed' }, { 'if-match': '"v1"' });
    expect(updated).toMatchObject({ status: 200, body: { name: 'Renamed', version: 2 } });
    expect((await call('GET', `/api/users/${id}`)).body).toMatchObject({ name: 'Renamed', version: 2 });
    expect((await call('DELETE', `/api/users/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/users/${id}`)).status).toBe(404);
    const health = await stack.cli('health');
    expect(health.stdout).toMatch(/^pgbouncer\s+up\s.*transaction pooling, \d+ of 4 server connections/m);
  });

  it(`Postgres sees at most ${POOL_SIZE} connections from it while the replicas hold more clients on it`, async () => {
    const postgres = await connect(stack.postgresPort, 'swarmgate');
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await postgres.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        );
        most = Math.max(most, rows[0]!.n);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      // 60 writers at once, each writing its own user three times: every replica's pool fills up.
      const statuses = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const created = await call('POST', '/api/users', {
            email: `burst-${Date.now()}-${i}@example.com`,
            name: 'B',
          });
          const seen = [created.status];
          for (let v = 1; v <= 2 && created.status === 201; v++) {
            const id = created.body.id as number;
            seen.push(
              (await call('PATCH', `/api/users/${id}`, { name: `B${v}` }, { 'if-match': `"v${v}"` })).status,
            );
          }
          return seen;
        }),
      );
      expect(statuses.flat().every((s) => s === 201 || s === 200)).toBe(true);
    } finally {
      sampling = false;
      await sampler;
      await postgres.end();
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(POOL_SIZE);
    // The replicas' clients on PgBouncer outnumber its server connections: the cap, not a quiet load, held it.
    const admin = await connect(Number(stack.env.PGBOUNCER_PORT), 'pgbouncer');
    try {
      const { rows } = await admin.query('SHOW CLIENTS');
      expect(rows.filter((r) => r.database === 'swarmgate').length).toBeGreaterThan(POOL_SIZE);
    } finally {
      await admin.end();
    }
  });
});
