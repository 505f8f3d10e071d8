import { getHeapStatistics } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/ports';
import { bodyOf, freshDatabase, json, type OwnRedis, ownRedis, testApp, testEnv } from './support/harness';

// What /metrics tells a person diagnosing load beyond requests and the cache: the Postgres pool's checkouts, Redis
// as the replica sees it, CPU, event loop, heap and GC. Read from the exposition text, as Prometheus reads it.

type App = Awaited<ReturnType<typeof testApp>>['app'];

/** The sum of every sample of `name` whose labels include `labels` (the exposition's own text, parsed). */
async function sample(app: App, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await app.request('/metrics')).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.entries(labels).every(([k, v]) => match[2]?.includes(`${k}="${v}"`));
    if (has) sum += Number(match[3]);
  }
  return sum;
}

describe('replica metrics for diagnosing load', () => {
  let redis: OwnRedis;
  let t: Awaited<ReturnType<typeof testApp>>;
  let tight: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    redis = await ownRedis();
    const database = await freshDatabase();
    t = await testApp(testEnv(database, redis.url));
    // One connection, given up on after 300 ms: contention and exhaustion on demand.
    tight = await testApp(
      testEnv(database, redis.url, { INSTANCE_ID: 'tight', PG_POOL_MAX: '1', PG_POOL_TIMEOUT_MS: '300' }),
    );
  });
  afterAll(async () => {
    await t?.deps.close();
    await tight?.deps.close();
    await redis?.close();
  });

  it('times every pool checkout, queries and transactions alike', async () => {
    const before = await sample(t.app, 'pg_pool_acquire_seconds_count');
    const created = await bodyOf(
      await t.app.request('/api/users', {
        method: 'POST',
        ...json({ email: 'pool@example.test', name: 'P' }),
      }),
    );
    const patched = await t.app.request(`/api/users/${created.id}`, {
      method: 'PATCH',
      ...json({ name: 'Q' }, { 'if-match': '"v1"' }),
    });
    expect(patched.status).toBe(200);
    // The insert through pool.query and the update's transaction through pool.connect: one checkout each.
    expect((await sample(t.app, 'pg_pool_acquire_seconds_count')) - before).toBe(2);
    expect(await sample(t.app, 'pg_pool_acquire_errors_total')).toBe(0);
  });

  it('shows how long a query waited for a busy pool, and counts the ones that gave up', async () => {
    const { pool } = tight.deps;
    await pool.query('SELECT 1'); // the one connection open and idle: taking it is then instant
    const bucket = (le: string) => sample(tight.app, 'pg_pool_acquire_seconds_bucket', { le });
    const [fastBefore, allBefore, sumBefore] = [
      await bucket('0.025'),
      await bucket('+Inf'),
      await sample(tight.app, 'pg_pool_acquire_seconds_sum'),
    ];
    const held = await pool.connect();
    const queued = pool.query('SELECT 1');
    await waitFor('the query to queue for the only connection', () => pool.waitingCount === 1);
    // The connection is busy for 50 ms of real work before it goes back to the pool.
    await held.query('SELECT pg_sleep(0.05)');
    held.release();
    await queued;
    // Two checkouts: the held one at once, the queued one after the other's 50 ms.
    expect((await bucket('+Inf')) - allBefore).toBe(2);
    expect((await bucket('0.025')) - fastBefore).toBe(1);
    expect((await sample(tight.app, 'pg_pool_acquire_seconds_sum')) - sumBefore).toBeGreaterThanOrEqual(0.05);

    const again = await pool.connect();
    try {
      await expect(pool.query('SELECT 1')).rejects.toThrow('timeout exceeded when trying to connect');
    } finally {
      again.release();
    }
    expect(await sample(tight.app, 'pg_pool_acquire_errors_total')).toBe(1);
  });

  it('times the cache’s Redis commands by command', async () => {
    const created = await bodyOf(
      await t.app.request('/api/users', {
        method: 'POST',
        ...json({ email: 'redis@example.test', name: 'R' }),
      }),
    );
    const [other, third] = await Promise.all(
      ['redis2@example.test', 'redis3@example.test'].map(async (email) =>
        bodyOf(await t.app.request('/api/users', { method: 'POST', ...json({ email, name: 'S' }) })),
      ),
    );
    expect((await t.app.request(`/api/users/${created.id}`)).headers.get('x-cache')).toBe('MISS'); // mget, fill
    await t.app.request(`/api/users/${created.id}`, {
      method: 'PATCH',
      ...json({ name: 'T' }, { 'if-match': '"v1"' }),
    }); // lock, store
    // Two users no read has cached yet: one MGET, then both filled in one pipeline.
    const lookup = await t.app.request('/api/users/lookup', {
      method: 'POST',
      ...json({ ids: [other.id, third.id] }),
    });
    expect(lookup.headers.get('x-cache-misses')).toBe('2');
    const count = (command: string) =>
      sample(t.app, 'redis_client_command_duration_seconds_count', { command });
    const commands = [
      'mget',
      'fill_user',
      'fill_users_pipeline',
      'lock_user_for_write',
      'store_written_user',
    ];
    for (const command of [...commands, 'settle_cache']) {
      expect(await count(command), command).toBeGreaterThan(0);
    }
    expect(await sample(t.app, 'redis_client_command_errors_total')).toBe(0);
  });

  it('counts failed Redis commands by command and reason: unreachable, then timed out', async () => {
    const created = await bodyOf(
      await t.app.request('/api/users', {
        method: 'POST',
        ...json({ email: 'down@example.test', name: 'D' }),
      }),
    );
    const errors = (command: string, reason: string) =>
      sample(t.app, 'redis_client_command_errors_total', { command, reason });

    await redis.freeze(); // connected, but answers nothing: each command runs into REDIS_COMMAND_TIMEOUT_MS
    try {
      expect((await t.app.request(`/api/users/${created.id}`)).headers.get('x-cache')).toBe('BYPASS');
    } finally {
      redis.thaw();
    }
    expect(await errors('mget', 'timeout')).toBeGreaterThanOrEqual(1);

    await redis.stop();
    await waitFor('the client to notice', () => t.deps.redis.status !== 'ready');
    expect((await t.app.request(`/api/users/${created.id}`)).headers.get('x-cache')).toBe('BYPASS');
    const refused = await t.app.request(`/api/users/${created.id}`, {
      method: 'PATCH',
      ...json({ name: 'E' }, { 'if-match': '"v1"' }),
    });
    expect(refused.status).toBe(503);
    expect(await errors('mget', 'unreachable')).toBeGreaterThanOrEqual(1);
    expect(await errors('lock_user_for_write', 'unreachable')).toBe(1);

    await redis.restart();
    await waitFor('the cache to settle again', () => t.deps.cache.settled(), 15_000);
  });

  it('has the process’s CPU, event-loop delay, heap against its limit, and GC time', async () => {
    expect(await sample(t.app, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(await sample(t.app, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(await sample(t.app, 'nodejs_heap_size_limit_bytes')).toBe(getHeapStatistics().heap_size_limit);
    const text = await (await t.app.request('/metrics')).text();
    expect(text).toMatch(/^nodejs_eventloop_lag_p50_seconds\{instance="test1"\} \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{instance="test1"\} \d/m);
    // Buckets fine enough for a minor GC (well under a millisecond).
    expect(text).toMatch(
      /^nodejs_gc_duration_seconds_bucket\{le="0.0001",instance="test1",kind="minor"\} \d+$/m,
    );
    // Garbage enough for a scavenge; the GC's timings reach the histogram asynchronously.
    await waitFor('a minor GC to be recorded', async () => {
      const garbage: object[] = [];
      for (let i = 0; i < 200_000; i++) garbage.push({ i });
      return (await sample(t.app, 'nodejs_gc_duration_seconds_count', { kind: 'minor' })) > 0;
    });
  });
});
