import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, freshDatabase, json, type OwnRedis, ownRedis, testApp, testEnv } from './support/harness';

let redis: OwnRedis;
let t: Awaited<ReturnType<typeof testApp>>;
let seq = 0;
const email = () => `user${++seq}.${Date.now()}@example.test`;

beforeAll(async () => {
  redis = await ownRedis();
  t = await testApp(testEnv(await freshDatabase(), redis.url));
});
afterAll(async () => {
  await t?.deps.close();
  await redis?.close();
});

const req = (path: string, init?: RequestInit) => t.app.request(path, init);
async function create(name = 'Ada') {
  const res = await req('/api/users', { method: 'POST', ...json({ email: email(), name }) });
  expect(res.status).toBe(201);
  return (await bodyOf(res)) as { id: number; email: string; name: string; version: number };
}
function queriesRun(name: string): Promise<number> {
  return t.deps.metrics.registry.getSingleMetricAsString('db_queries_total').then((text) => {
    const line = text.split('\n').find((l) => l.includes(`query="${name}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  });
}

describe('POST /api/users', () => {
  it('creates a user with 201, Location, ETag and X-Instance', async () => {
    const res = await req('/api/users', {
      method: 'POST',
      ...json({ email: 'Grace@Example.test', name: 'Grace' }),
    });
    expect(res.status).toBe(201);
    const user = await bodyOf(res);
    expect(user).toMatchObject({ email: 'Grace@Example.test', name: 'Grace', version: 1 });
    expect(res.headers.get('location')).toBe(`/api/users/${user.id}`);
    expect(res.headers.get('etag')).toBe('"v1"');
    expect(res.headers.get('x-instance')).toBe('test1');
  });

  it('answers 409 for an email that differs only in case', async () => {
    const res = await req('/api/users', {
      method: 'POST',
      ...json({ email: 'grace@EXAMPLE.test', name: 'G2' }),
    });
    expect(res.status).toBe(409);
    expect((await bodyOf(res)).error.code).toBe('EMAIL_TAKEN');
  });

  it('answers 400 naming every bad field', async () => {
    const res = await req('/api/users', { method: 'POST', ...json({ email: 'nope', name: '' }) });
    expect(res.status).toBe(400);
    const body = await bodyOf(res);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'name']);
  });
});

describe('GET /api/users/:id', () => {
  it('reads MISS, then HIT, and a write is seen on the next read', async () => {
    const user = await create();
    const first = await req(`/api/users/${user.id}`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('etag')).toBe('"v1"');
    const second = await req(`/api/users/${user.id}`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await bodyOf(second)).toEqual(await bodyOf(first));

    const put = await req(`/api/users/${user.id}`, {
      method: 'PUT',
      ...json({ email: user.email, name: 'Renamed' }, { 'if-match': '"v1"' }),
    });
    expect(put.status).toBe(200);
    const afterPut = await req(`/api/users/${user.id}`);
    expect(afterPut.headers.get('x-cache')).toBe('HIT');
    expect(afterPut.headers.get('etag')).toBe('"v2"');
    expect((await bodyOf(afterPut)).name).toBe('Renamed');

    expect((await req(`/api/users/${user.id}`, { method: 'DELETE' })).status).toBe(204);
    const afterDelete = await req(`/api/users/${user.id}`);
    expect(afterDelete.status).toBe(404);
    expect((await bodyOf(afterDelete)).error.code).toBe('NOT_FOUND');
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const user = await create();
    const res = await req(`/api/users/${user.id}`, { headers: { 'if-none-match': '"v1"' } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe('"v1"');
  });

  it('served by Node, carries the same headers on a hit, a 304 and a 404 as through app.request', async () => {
    // The route sets its headers on Node's response when there is one (http/response-header.ts); app.request()
    // above never takes that branch.
    const server = createServer(getRequestListener(t.app.fetch));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const user = await create();
      const headers = (res: Response) =>
        Object.fromEntries(
          ['content-type', 'etag', 'x-cache', 'x-instance'].map((name) => [name, res.headers.get(name)]),
        );
      await fetch(`${base}/api/users/${user.id}`); // the miss that fills the cache
      const hit = await fetch(`${base}/api/users/${user.id}`);
      expect(hit.status).toBe(200);
      expect(headers(hit)).toEqual({
        'content-type': 'application/json',
        etag: '"v1"',
        'x-cache': 'HIT',
        'x-instance': 'test1',
      });
      expect(await bodyOf(hit)).toMatchObject({ id: user.id, version: 1 });

      const unchanged = await fetch(`${base}/api/users/${user.id}`, { headers: { 'if-none-match': '"v1"' } });
      expect(unchanged.status).toBe(304);
      expect(headers(unchanged)).toMatchObject({ etag: '"v1"', 'x-cache': 'HIT', 'x-instance': 'test1' });

      const missing = await fetch(`${base}/api/users/999999998`);
      expect(missing.status).toBe(404);
      expect(headers(missing)).toMatchObject({ 'x-cache': 'MISS', 'x-instance': 'test1' });
      expect((await bodyOf(missing)).error.code).toBe('NOT_FOUND');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 404 for an id that never existed and 400 for a malformed id', async () => {
    const missing = await req('/api/users/999999999');
    expect(missing.status).toBe(404);
    for (const bad of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999']) {
      const res = await req(`/api/users/${bad}`);
      expect(res.status, bad).toBe(400);
      expect((await bodyOf(res)).error.code).toBe('INVALID_ID');
    }
  });

  it('makes one database query for many concurrent misses of one id', async () => {
    const user = await create();
    const before = await queriesRun('users_by_id');
    const reads = await Promise.all(Array.from({ length: 20 }, () => req(`/api/users/${user.id}`)));
    expect(reads.every((r) => r.status === 200)).toBe(true);
    expect(reads.filter((r) => r.headers.get('x-cache') === 'MISS').length).toBe(20);
    expect((await queriesRun('users_by_id')) - before).toBe(1);
  });
});

describe('PUT and PATCH with optimistic concurrency', () => {
  it('lets exactly one of 20 concurrent PUTs with the same version win', async () => {
    const user = await create();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        req(`/api/users/${user.id}`, {
          method: 'PUT',
          ...json({ email: user.email, name: `writer ${i}` }, { 'if-match': '"v1"' }),
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const winner = await bodyOf(results[statuses.indexOf(200)]!);
    const now = await bodyOf(await req(`/api/users/${user.id}`));
    expect(now).toMatchObject({ version: 2, name: winner.name });
  });

  it('answers 409 for a stale version in the body, and never overwrites the newer write', async () => {
    const user = await create();
    const ok = await req(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'first', version: 1 }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"v2"');
    const stale = await req(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'second', version: 1 }),
    });
    expect(stale.status).toBe(409);
    expect((await bodyOf(stale)).error).toMatchObject({
      code: 'VERSION_CONFLICT',
      details: { currentVersion: 2 },
    });
    expect((await bodyOf(await req(`/api/users/${user.id}`))).name).toBe('first');
  });

  it('answers 412 for a stale If-Match and 428 without any precondition', async () => {
    const user = await create();
    await req(`/api/users/${user.id}`, { method: 'PATCH', ...json({ name: 'x' }, { 'if-match': '"v1"' }) });
    const stale = await req(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'y' }, { 'if-match': '"v1"' }),
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"v2"');
    const none = await req(`/api/users/${user.id}`, { method: 'PATCH', ...json({ name: 'z' }) });
    expect(none.status).toBe(428);
    const star = await req(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'z' }, { 'if-match': '*' }),
    });
    expect(star.status).toBe(200);
  });

  it('answers 404 when writing a user that does not exist, and 409 when taking another email', async () => {
    const missing = await req('/api/users/888888888', {
      method: 'PATCH',
      ...json({ name: 'n' }, { 'if-match': '*' }),
    });
    expect(missing.status).toBe(404);
    const a = await create();
    const b = await create();
    const clash = await req(`/api/users/${b.id}`, {
      method: 'PATCH',
      ...json({ email: a.email.toUpperCase() }, { 'if-match': '"v1"' }),
    });
    expect(clash.status).toBe(409);
  });

  it('honours If-Match on DELETE', async () => {
    const user = await create();
    const stale = await req(`/api/users/${user.id}`, { method: 'DELETE', headers: { 'if-match': '"v7"' } });
    expect(stale.status).toBe(412);
    const ok = await req(`/api/users/${user.id}`, { method: 'DELETE', headers: { 'if-match': '"v1"' } });
    expect(ok.status).toBe(204);
    expect((await req(`/api/users/${user.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('GET /api/users (keyset pagination)', () => {
  it('walks every user exactly once with nextCursor', async () => {
    for (let i = 0; i < 7; i++) await create(`page ${i}`);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await req(`/api/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await bodyOf(res)) as { items: { id: number }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const count = (await bodyOf(await req('/api/system/overview'))).users.count;
    expect(seen.length).toBe(count);
  });

  it('rejects a bad limit or cursor with 400', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=x', 'cursor=garbage', 'foo=1']) {
      expect((await req(`/api/users?${q}`)).status, q).toBe(400);
    }
  });
});

describe('bulk create and lookup', () => {
  it('creates 500 users in one request and reads them back through the cache', async () => {
    const users = Array.from({ length: 500 }, (_, i) => ({
      email: `bulk${i}.${Date.now()}@example.test`,
      name: `b${i}`,
    }));
    const before = await queriesRun('users_insert_many');
    const res = await req('/api/users/bulk', { method: 'POST', ...json({ users }) });
    expect(res.status).toBe(201);
    const created = (await bodyOf(res)).items as { id: number; email: string }[];
    expect(created).toHaveLength(500);
    expect(created.map((u) => u.email)).toEqual(users.map((u) => u.email));
    expect((await queriesRun('users_insert_many')) - before).toBe(1);

    const ids = created.slice(0, 10).map((u) => u.id);
    // Creating does not cache; read six of the ten so that the lookup finds those in Redis.
    for (const id of ids.slice(4)) await req(`/api/users/${id}`);
    const lookedUp = await req('/api/users/lookup', {
      method: 'POST',
      ...json({ ids: [...ids, 777777777] }),
    });
    expect(lookedUp.status).toBe(200);
    expect(lookedUp.headers.get('x-cache-hits')).toBe('6');
    expect(lookedUp.headers.get('x-cache-misses')).toBe('5');
    const body = await bodyOf(lookedUp);
    expect(body.items.map((u: { id: number }) => u.id)).toEqual(ids);
    expect(body.missing).toEqual([777777777]);
    const again = await req('/api/users/lookup', { method: 'POST', ...json({ ids }) });
    expect(again.headers.get('x-cache-hits')).toBe('10');
  });

  it('rejects more than 500 users, duplicates within the batch, and an email already taken', async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ email: `x${i}@example.test`, name: 'x' }));
    expect((await req('/api/users/bulk', { method: 'POST', ...json({ users: tooMany }) })).status).toBe(400);
    const dup = await req('/api/users/bulk', {
      method: 'POST',
      ...json({
        users: [
          { email: 'd@example.test', name: 'a' },
          { email: 'D@example.test', name: 'b' },
        ],
      }),
    });
    expect(dup.status).toBe(400);
    expect((await bodyOf(dup)).error.details[0].path).toBe('users.1.email');
    const taken = await create();
    const clash = await req('/api/users/bulk', {
      method: 'POST',
      ...json({
        users: [
          { email: `fresh.${Date.now()}@example.test`, name: 'a' },
          { email: taken.email, name: 'b' },
        ],
      }),
    });
    expect(clash.status).toBe(409);
    expect((await bodyOf(clash)).error.details.email.toLowerCase()).toBe(taken.email.toLowerCase());
  });
});

describe('system endpoints', () => {
  it('reports counts, cache and pool in the overview', async () => {
    const res = await req('/api/system/overview');
    expect(res.status).toBe(200);
    const body = await bodyOf(res);
    expect(body.instance).toBe('test1');
    expect(body.users.count).toBeGreaterThan(0);
    expect(body.cache.hits).toBeGreaterThan(0);
    expect(body.pool.max).toBe(10);
  });

  it('is ready when Postgres and Redis answer', async () => {
    const res = await req('/ready');
    expect(res.status).toBe(200);
    expect((await bodyOf(res)).checks).toMatchObject({ postgres: { ok: true }, redis: { ok: true } });
  });

  it('exposes Prometheus metrics by route template', async () => {
    const text = await (await req('/metrics')).text();
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/users\/:id",status="200",instance="test1"\} \d+/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",instance="test1",method="GET",route="\/api\/users\/:id"/,
    );
    expect(text).toMatch(/cache_requests_total\{outcome="hit",instance="test1"\} \d+/);
    expect(text).toContain('pg_pool_connections_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).not.toMatch(/route="\/api\/users\/\d+"/);
  });
});
