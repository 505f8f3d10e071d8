import { afterEach, describe, expect, it } from 'vitest';
import { HttpUser, runSwarm, StopUser } from '../src/index';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A server that answers each path's status with the Retry-After its query names (`?status=429&after=1`; no
 * `after`: no header), and notes when each user's requests arrived (`x-user` header).
 */
async function throttlingServer() {
  const arrivals = new Map<string, number[]>();
  const s = await startTestServer((req, res, url) => {
    const user = String(req.headers['x-user']);
    arrivals.set(user, [...(arrivals.get(user) ?? []), performance.now()]);
    const after = url.searchParams.get('after');
    res.writeHead(Number(url.searchParams.get('status') ?? 200), {
      'content-type': 'application/json',
      ...(after === null ? {} : { 'retry-after': after }),
    });
    res.end('{"error":{"code":"RATE_LIMITED","message":"slow down"}}');
  });
  return { server: s, arrivals };
}

let users = 0;
/** Users that each send `requests` GETs of `path`, one after the other, then stop: the counts are exact. */
function caller(path: string, requests: number, honour = false) {
  return class Caller extends HttpUser {
    static override tasks = ['call'];
    static override honorRetryAfter = honour;
    async call() {
      const headers = { 'x-user': String(++users) };
      for (let i = 0; i < requests; i++) await this.client.get(path, { headers, name: 'limited' });
      throw new StopUser();
    }
  };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('honouring Retry-After', () => {
  it('makes each user wait a 429 Retry-After before going on, counted as throttled and as waited time', async () => {
    const t = await throttlingServer();
    server = t.server;
    const s = await runSwarm({
      classes: [caller('/limited?status=429&after=1', 3)],
      host: server.url,
      users: 2,
      spawnRate: 100,
      runTimeS: 60,
      honorRetryAfter: true,
    });
    expect([s.total.requests, s.total.throttled, s.total.failures]).toEqual([6, 6, 0]);
    expect(server.total()).toBe(6);
    // Each user's next request came at least the second it was asked to wait after the previous answer.
    for (const times of t.arrivals.values()) {
      expect(times).toHaveLength(3);
      for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(990);
    }
    // Every 429 was waited out, the last one too (the task went on after it, then stopped).
    expect(s.metrics.retry_after_waits).toBe(6);
    expect(s.metrics.retry_after_wait_ms).toBeGreaterThanOrEqual(6 * 990);
    // The wait is not the response's time: the server answered at once.
    expect(s.total.maxMs).toBeLessThan(990);
  });

  it('goes on at once without the opt-in, with no wait counters', async () => {
    const t = await throttlingServer();
    server = t.server;
    const s = await runSwarm({
      classes: [caller('/limited?status=429&after=3600', 3)],
      host: server.url,
      users: 2,
      spawnRate: 100,
      runTimeS: 60,
    });
    expect([s.total.requests, s.total.throttled]).toEqual([6, 6]);
    expect(s.metrics.retry_after_waits).toBeUndefined();
  });

  it('honours a 503 with Retry-After too, but not a 503 without one, and declares the counters at 0', async () => {
    const t = await throttlingServer();
    server = t.server;
    const bare = await runSwarm({
      classes: [caller('/down?status=503', 2)],
      host: server.url,
      users: 1,
      spawnRate: 100,
      runTimeS: 60,
      honorRetryAfter: true,
    });
    expect([bare.total.requests, bare.total.failures]).toEqual([2, 2]);
    expect(bare.metrics).toMatchObject({ retry_after_waits: 0, retry_after_wait_ms: 0 });

    // A class that opts in by itself, without the run's option.
    const shed = await runSwarm({
      classes: [caller('/down?status=503&after=1', 2, true)],
      host: server.url,
      users: 1,
      spawnRate: 100,
      runTimeS: 60,
    });
    expect(shed.total.requests).toBe(2);
    expect(shed.metrics.retry_after_waits).toBe(2);
  });

  it('bounds the wait by maxMs, and the end of the run cuts a wait short rather than hang', async () => {
    const t = await throttlingServer();
    server = t.server;
    const bounded = await runSwarm({
      classes: [caller('/limited?status=429&after=3600', 2)],
      host: server.url,
      users: 1,
      spawnRate: 100,
      runTimeS: 60,
      honorRetryAfter: { maxMs: 300 },
    });
    expect(bounded.total.requests).toBe(2);
    expect(bounded.metrics.retry_after_waits).toBe(2);
    expect(bounded.stop?.reason).toBe('users_stopped');

    // Asked to wait an hour (30 s at most by default) in a 2 s run: the run ends on time, the wait cut short.
    const cut = await runSwarm({
      classes: [caller('/limited?status=429&after=3600', 5)],
      host: server.url,
      users: 1,
      spawnRate: 100,
      runTimeS: 2,
      honorRetryAfter: true,
    });
    expect(cut.total.requests).toBe(1);
    expect(cut.stop?.reason).toBe('run_time');
  });
});
