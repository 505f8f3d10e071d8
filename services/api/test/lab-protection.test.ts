import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { type Service, startService } from '../../../scripts/lib/process';
import { startDownstream } from '../../downstream/test/support';
import { createDownstreamClient } from '../src/lab/downstream-client';
import { bodyOf, freshDatabase, type OwnRedis, ownRedis } from './support/harness';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));

// Two replica processes with the lab on: one sheds load (and calls no downstream), the other calls the real
// downstream service through its protection and never sheds, so a slow moment of this shared machine cannot turn
// a breaker answer into OVERLOADED.
describe('replicas with the overload protection on', () => {
  let redis: OwnRedis;
  let shedder: Service;
  let caller: Service;
  let downstream: Awaited<ReturnType<typeof startDownstream>>;
  let shedBase = '';
  let base = '';

  async function replica(instance: string, env: Record<string, string>) {
    const port = await freePort();
    const service = startService('api', process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      cwd: API_DIR,
      env: {
        ...process.env,
        // The replica's bind address, whatever a shell exported (load_test.sh reads HOST as its target URL).
        HOST: '127.0.0.1',
        PORT: String(port),
        INSTANCE_ID: instance,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'warn',
        LAB_ENDPOINTS: 'on',
        ...env,
      },
    });
    return { service, base: `http://127.0.0.1:${port}` };
  }
  let databaseUrl = '';

  beforeAll(async () => {
    redis = await ownRedis();
    databaseUrl = await freshDatabase();
    downstream = await startDownstream({ LATENCY_MS: '0', JITTER_MS: '0' });
    const shedding = await replica('shed1', { SHED_LAG_MS: '400' });
    shedder = shedding.service;
    shedBase = shedding.base;
    const calling = await replica('lab1', {
      DOWNSTREAM_URL: downstream.base,
      DOWNSTREAM_TIMEOUT_MS: '1500',
      DOWNSTREAM_BREAKER_FAILURES: '3',
      DOWNSTREAM_BREAKER_HALF_OPEN_MS: '1000',
      DOWNSTREAM_BULKHEAD_LIMIT: '2',
      DOWNSTREAM_BULKHEAD_QUEUE: '1',
    });
    caller = calling.service;
    base = calling.base;
    for (const b of [shedBase, base])
      await waitFor(`the replica at ${b} to be ready`, async () => (await fetch(`${b}/ready`)).ok, 60_000);
  });
  afterAll(async () => {
    await shedder?.stop('SIGKILL');
    await caller?.stop('SIGKILL');
    await downstream?.service.stop('SIGKILL');
    await redis?.close();
  });

  const get = (path: string) => fetch(`${base}${path}`);
  /** The value of one series in a replica's /metrics (labels as prom-client prints them, instance last). */
  const series = async (name: string, labels = '', from = base) => {
    const text = await (await fetch(`${from}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  const code = async (res: Response) => (await bodyOf(res)).error?.code as string | undefined;

  it('sheds new work while its event loop is blocked, and still answers /health and /metrics', async () => {
    const blocking = fetch(`${shedBase}/api/lab/cpu?ms=2000`);
    // Blocked once a liveness probe no longer answers within 300 ms.
    await waitFor(
      'the replica to be blocked',
      async () => {
        try {
          await fetch(`${shedBase}/health`, { signal: AbortSignal.timeout(300) });
          return false;
        } catch {
          return true;
        }
      },
      10_000,
      20,
    );
    // Queued behind the block, read after it.
    const [health, read, write, scrape] = await Promise.all([
      fetch(`${shedBase}/health`),
      fetch(`${shedBase}/api/users/1`),
      fetch(`${shedBase}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'shed@example.test', name: 'S' }),
      }),
      fetch(`${shedBase}/metrics`).then((r) => r.text()),
    ]);
    expect((await blocking).status).toBe(200);
    expect(health.status).toBe(200);
    for (const res of [read, write]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await code(res)).toBe('OVERLOADED');
    }
    expect(scrape).toMatch(/eventloop_overloaded\{instance="shed1"\} 1/);
    expect(await series('http_requests_shed_total', 'cost="cheap"', shedBase)).toBeGreaterThanOrEqual(2);
    // The loop keeps time again: work is taken once the hold is over.
    await waitFor(
      'work to be taken again',
      async () => (await fetch(`${shedBase}/api/users/1`)).status === 404,
      15_000,
      100,
    );
  });

  it('opens the breaker on a failing downstream, refuses fast while open, half-opens and closes when it heals', async () => {
    const ok = await get('/api/lab/downstream');
    expect(ok.status).toBe(200);
    expect((await bodyOf(ok)).downstream).toMatchObject({ ok: true });
    expect(await series('downstream_breaker_state')).toBe(0);

    await downstream.behave({ errorRate: 1 });
    for (let i = 0; i < 3; i++) {
      const failed = await get('/api/lab/downstream');
      expect(failed.status).toBe(502);
      expect(await code(failed)).toBe('DOWNSTREAM_FAILED');
    }
    const before = await (await fetch(`${downstream.base}/metrics`)).text();
    const open = await get('/api/lab/downstream');
    expect(open.status).toBe(503);
    expect(open.headers.get('retry-after')).toBe('1');
    expect(await code(open)).toBe('DOWNSTREAM_UNAVAILABLE');
    // Refused without calling the downstream.
    expect(await (await fetch(`${downstream.base}/metrics`)).text()).toContain(
      before.split('\n').find((l) => l.startsWith('downstream_work_requests_total{outcome="failed"'))!,
    );
    expect(await series('downstream_breaker_state')).toBe(2);
    expect(await series('downstream_breaker_transitions_total', 'to="open"')).toBe(1);
    expect(await series('downstream_calls_total', 'outcome="breaker_open"')).toBeGreaterThanOrEqual(1);

    // Healed: after halfOpenAfter a trial call goes through, succeeds, and closes the breaker.
    await downstream.behave({ errorRate: 0 });
    await waitFor(
      'a call to succeed again',
      async () => (await get('/api/lab/downstream')).status === 200,
      15_000,
      100,
    );
    expect(await series('downstream_breaker_transitions_total', 'to="half_open"')).toBeGreaterThanOrEqual(1);
    expect(await series('downstream_breaker_transitions_total', 'to="closed"')).toBeGreaterThanOrEqual(1);
    expect(await series('downstream_breaker_state')).toBe(0);
  });

  it('refuses calls past the bulkhead at once, and times out a slow downstream', async () => {
    await downstream.behave({ latencyMs: 800, errorRate: 0 });
    // Two run, one waits, the rest are refused.
    const answers = await Promise.all(Array.from({ length: 6 }, () => get('/api/lab/downstream')));
    const codes = await Promise.all(answers.map((r) => (r.status === 200 ? 'ok' : code(r))));
    expect(codes.filter((c) => c === 'DOWNSTREAM_BUSY').length).toBeGreaterThanOrEqual(3);
    expect(await series('downstream_calls_total', 'outcome="bulkhead_full"')).toBeGreaterThanOrEqual(3);

    await downstream.behave({ latencyMs: 5000 });
    const slow = await get('/api/lab/downstream');
    expect(slow.status).toBe(504);
    expect(await code(slow)).toBe('DOWNSTREAM_TIMEOUT');
    expect(await series('downstream_calls_total', 'outcome="timeout"')).toBe(1);
    await downstream.behave({ latencyMs: 0 });
  });

  it('without protection (DOWNSTREAM_PROTECTION=off) calls straight through: no breaker, no bulkhead, no timeout', async () => {
    const outcomes: string[] = [];
    const client = createDownstreamClient({
      url: downstream.base,
      protection: false,
      timeoutMs: 100,
      breakerFailures: 1,
      halfOpenAfterMs: 60_000,
      bulkheadLimit: 1,
      bulkheadQueue: 0,
      onCall: (outcome) => outcomes.push(outcome),
      onBreaker: () => {},
    });
    await downstream.behave({ latencyMs: 300, errorRate: 1 });
    const failed = await Promise.allSettled(Array.from({ length: 4 }, () => client.call()));
    // Every call reached the downstream and waited for it: failures, never refusals or timeouts.
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code)).toEqual(
      Array(4).fill('DOWNSTREAM_FAILED'),
    );
    await downstream.behave({ latencyMs: 0, errorRate: 0 });
    await expect(client.call()).resolves.toMatchObject({ ok: true });
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'failed', 'ok']);
  });
});
