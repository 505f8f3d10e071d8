import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { bodyOf, freshDatabase, json, type OwnRedis, ownRedis, testApp, testEnv } from './support/harness';

describe('when Redis goes away', () => {
  let redis: OwnRedis;
  let t: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    redis = await ownRedis();
    t = await testApp(testEnv(await freshDatabase(), redis.url));
  });
  afterAll(async () => {
    await t?.deps.close();
    await redis?.close();
  });

  it('keeps answering reads from Postgres with BYPASS, and serves HITs again once Redis is back', async () => {
    const created = await t.app.request('/api/users', {
      method: 'POST',
      ...json({ email: 'outage@example.test', name: 'Before' }),
    });
    const user = await bodyOf(created);
    expect((await t.app.request(`/api/users/${user.id}`)).headers.get('x-cache')).toBe('MISS');
    expect((await t.app.request(`/api/users/${user.id}`)).headers.get('x-cache')).toBe('HIT');

    await redis.stop();
    await waitFor('the client to notice', () => t.deps.redis.status !== 'ready');
    for (let i = 0; i < 5; i++) {
      const res = await t.app.request(`/api/users/${user.id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('BYPASS');
    }
    // Writes are refused at once, with nothing written: the cache could not record them (no-stale-read.test.ts).
    const refused = await t.app.request(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'During' }, { 'if-match': '"v1"' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await bodyOf(refused)).error.code).toBe('CACHE_UNAVAILABLE');
    const ready = await t.app.request('/ready');
    expect(ready.status).toBe(503);
    expect((await bodyOf(ready)).error).toMatchObject({
      code: 'NOT_READY',
      message: 'not ready: Redis is unreachable',
      details: { down: ['redis'] },
    });

    await redis.restart();
    await waitFor('reads to hit the cache again', async () => {
      const res = await t.app.request(`/api/users/${user.id}`);
      return res.headers.get('x-cache') === 'HIT';
    });
    const after = await t.app.request(`/api/users/${user.id}`);
    expect(await bodyOf(after)).toMatchObject({ name: 'Before', version: 1 });
    expect((await t.app.request('/ready')).status).toBe(200);
  });

  it('answers /ready 503 in its own words when Redis refuses writes', async () => {
    const side = new Redis(redis.url);
    try {
      await side.config('SET', 'maxmemory', '1');
      const ready = await t.app.request('/ready');
      expect(ready.status).toBe(503);
      expect((await bodyOf(ready)).error).toMatchObject({
        message: 'not ready: Redis is full and refuses writes',
        details: { down: ['redis'] },
      });
      await side.replicaof('127.0.0.1', '1');
      await side.config('SET', 'maxmemory', '0');
      expect((await bodyOf(await t.app.request('/ready'))).error.message).toBe(
        'not ready: Redis is read-only and refuses writes',
      );
    } finally {
      await side.config('SET', 'maxmemory', '0');
      await side.replicaof('NO', 'ONE');
      side.disconnect();
    }
    expect((await t.app.request('/ready')).status).toBe(200);
  });

  it('refuses a write while Redis is frozen, within the Redis timeout, and changes nothing', async () => {
    const user = await bodyOf(
      await t.app.request('/api/users', {
        method: 'POST',
        ...json({ email: 'pause@example.test', name: 'v1' }),
      }),
    );
    await t.app.request(`/api/users/${user.id}`); // the first read caches version 1
    expect((await t.app.request(`/api/users/${user.id}`)).headers.get('x-cache')).toBe('HIT');
    // Freeze Redis: it keeps version 1 but answers nothing, so the write below cannot lock the entry.
    const side = new Redis(redis.url);
    await side.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const started = performance.now();
    const patched = await t.app.request(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'v2' }, { 'if-match': '"v1"' }),
    });
    const tookMs = performance.now() - started;
    expect(patched.status).toBe(503);
    expect((await bodyOf(patched)).error.code).toBe('CACHE_UNAVAILABLE');
    // Bounded by REDIS_COMMAND_TIMEOUT_MS (250), not by the 1.5 s pause.
    expect(tookMs).toBeLessThan(1400);
    const during = await t.app.request(`/api/users/${user.id}`);
    expect(during.headers.get('x-cache')).toBe('BYPASS');
    expect((await bodyOf(during)).name).toBe('v1');
    // Once Redis answers again the same write goes through, and reads hit version 2, never version 1.
    await waitFor(
      'Redis to answer again',
      async () => (await t.app.request('/ready')).status === 200,
      10_000,
    );
    const retried = await t.app.request(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'v2' }, { 'if-match': '"v1"' }),
    });
    expect(retried.status).toBe(200);
    const after = await t.app.request(`/api/users/${user.id}`);
    expect(after.headers.get('x-cache')).toBe('HIT');
    expect(await bodyOf(after)).toMatchObject({ name: 'v2', version: 2 });
    side.disconnect();
  });
});

describe('when the pool is exhausted', () => {
  let redis: OwnRedis;
  let t: Awaited<ReturnType<typeof testApp>>;
  let databaseUrl: string;
  beforeAll(async () => {
    redis = await ownRedis();
    databaseUrl = await freshDatabase();
    t = await testApp(
      testEnv(databaseUrl, redis.url, {
        PG_POOL_MAX: '2',
        PG_POOL_TIMEOUT_MS: '300',
        PG_STATEMENT_TIMEOUT_MS: '1500',
      }),
    );
  });
  afterAll(async () => {
    await t?.deps.close();
    await redis?.close();
  });

  it('answers 503 with Retry-After within the timeouts instead of hanging', async () => {
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const res = await t.app.request('/api/users?limit=5');
          return {
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            code: (await bodyOf(res)).error?.code,
          };
        }),
      );
      const elapsedMs = performance.now() - started;
      expect(answers.every((a) => a.status === 503 && a.retryAfter === '1')).toBe(true);
      // Two queries hold the pool's connections until the statement timeout; the other four give up waiting.
      expect(answers.filter((a) => a.code === 'DB_POOL_EXHAUSTED')).toHaveLength(4);
      expect(answers.filter((a) => a.code === 'DB_TIMEOUT')).toHaveLength(2);
      // Bounded by the 1.5 s statement timeout, not by a client giving up after 30 s.
      expect(elapsedMs).toBeLessThan(5000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect((await t.app.request('/api/users?limit=5')).status).toBe(200);
  });

  it('stays ready while only the pool is full, and says so: Postgres itself still answers', async () => {
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      // Both pool connections wait on the lock.
      const held = [t.app.request('/api/users?limit=1'), t.app.request('/api/users?limit=2')];
      await waitFor('the pool to be full', () => t.deps.pool.idleCount === 0 && t.deps.pool.totalCount === 2);
      const ready = await t.app.request('/ready');
      expect(ready.status).toBe(200);
      const body = await bodyOf(ready);
      expect(body.checks.postgres.ok).toBe(true);
      expect(body.checks.pool).toMatchObject({ max: 2, busy: 2, full: true });
      await locker.query('ROLLBACK');
      await Promise.all(held);
    } finally {
      await locker.end();
    }
  });
});

describe('when Postgres is unreachable', () => {
  let redis: OwnRedis;
  let t: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    redis = await ownRedis();
    const nothing = `postgres://postgres@127.0.0.1:${await freePort()}/none`;
    t = await testApp(testEnv(nothing, redis.url, { PG_POOL_TIMEOUT_MS: '500' }));
  });
  afterAll(async () => {
    await t?.deps.close();
    await redis?.close();
  });

  it('answers /ready 503 naming postgres, and reads 503 DB_UNAVAILABLE with Retry-After', async () => {
    const ready = await t.app.request('/ready');
    expect(ready.status).toBe(503);
    const text = await ready.text();
    expect(JSON.parse(text).error).toMatchObject({
      code: 'NOT_READY',
      message: 'not ready: Postgres is unreachable',
      details: { down: ['postgres'], checks: { postgres: { ok: false, reason: 'Postgres is unreachable' } } },
    });
    // The API's words only: no driver text, no address.
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect /);
    const read = await t.app.request('/api/users/1');
    expect(read.status).toBe(503);
    expect(read.headers.get('retry-after')).toBe('1');
    expect((await bodyOf(read)).error.code).toBe('DB_UNAVAILABLE');
  });
});
