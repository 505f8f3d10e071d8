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
    // Writes still succeed; the cache write they could not make is replayed later.
    const patched = await t.app.request(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'During' }, { 'if-match': '"v1"' }),
    });
    expect(patched.status).toBe(200);
    expect((await t.app.request('/ready')).status).toBe(503);

    await redis.restart();
    await waitFor('reads to hit the cache again', async () => {
      const res = await t.app.request(`/api/users/${user.id}`);
      return res.headers.get('x-cache') === 'HIT';
    });
    const after = await t.app.request(`/api/users/${user.id}`);
    expect(await bodyOf(after)).toMatchObject({ name: 'During', version: 2 });
    expect((await t.app.request('/ready')).status).toBe(200);
  });

  it('never serves a value cached before a write that Redis missed', async () => {
    const user = await bodyOf(
      await t.app.request('/api/users', {
        method: 'POST',
        ...json({ email: 'pause@example.test', name: 'v1' }),
      }),
    );
    await t.app.request(`/api/users/${user.id}`); // the first read caches version 1
    expect((await t.app.request(`/api/users/${user.id}`)).headers.get('x-cache')).toBe('HIT');
    // Freeze Redis: it keeps version 1 but answers nothing, so the write below cannot refresh it.
    const side = new Redis(redis.url);
    await side.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const patched = await t.app.request(`/api/users/${user.id}`, {
      method: 'PATCH',
      ...json({ name: 'v2' }, { 'if-match': '"v1"' }),
    });
    expect(patched.status).toBe(200);
    const during = await t.app.request(`/api/users/${user.id}`);
    expect(during.headers.get('x-cache')).toBe('BYPASS');
    expect((await bodyOf(during)).name).toBe('v2');
    // Once Redis answers again the missed write is replayed, and reads hit version 2, never version 1.
    await waitFor('the missed write to be replayed', () => t.deps.cache.pendingWrites() === 0, 10_000);
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
    expect((await bodyOf(ready)).error).toMatchObject({ code: 'NOT_READY', details: { down: ['postgres'] } });
    const read = await t.app.request('/api/users/1');
    expect(read.status).toBe(503);
    expect(read.headers.get('retry-after')).toBe('1');
    expect((await bodyOf(read)).error.code).toBe('DB_UNAVAILABLE');
  });
});
