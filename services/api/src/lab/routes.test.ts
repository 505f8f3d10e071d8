import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { createDeps } from '../deps';
import { loadEnv } from '../env';
import { createLogger } from '../observability/logger';

// The lab's routes answer before any query or cache call, so Postgres and Redis point where nothing listens.
function labApp(settings: Record<string, string> = {}) {
  const env = loadEnv({
    PORT: '1',
    INSTANCE_ID: 'lab1',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
    REDIS_URL: 'redis://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    LAB_ENDPOINTS: 'on',
    ...settings,
  });
  const deps = createDeps(env, createLogger('silent', 'lab1'));
  opened.push(deps);
  return { app: createApp(deps), deps };
}
const opened: ReturnType<typeof createDeps>[] = [];
afterAll(() => Promise.all(opened.map((d) => d.close())));

type ErrorBody = { error: { code: string; message: string; details?: { path: string }[] } };

describe('lab endpoints', () => {
  it('are not mounted without LAB_ENDPOINTS=on: 404 there', async () => {
    const { app } = labApp({ LAB_ENDPOINTS: 'off' });
    for (const path of ['/api/lab/cpu?ms=1', '/api/lab/memory?mb=1', '/api/lab/downstream']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as ErrorBody).error.code).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('burn the event loop for the asked time', async () => {
    const { app } = labApp();
    const res = await app.request('/api/lab/cpu?ms=30');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ms: number; burnedMs: number };
    expect(body.ms).toBe(30);
    expect(body.burnedMs).toBeGreaterThanOrEqual(30);
  });

  it('refuse inputs outside their bounds with a 400 naming the parameter', async () => {
    const { app } = labApp();
    const cases: [string, string][] = [
      ['/api/lab/cpu', 'ms'],
      ['/api/lab/cpu?ms=0', 'ms'],
      ['/api/lab/cpu?ms=2001', 'ms'],
      ['/api/lab/cpu?ms=1.5', 'ms'],
      ['/api/lab/cpu?ms=-3', 'ms'],
      ['/api/lab/cpu?ms=abc', 'ms'],
      ['/api/lab/memory', 'mb'],
      ['/api/lab/memory?mb=0', 'mb'],
      ['/api/lab/memory?mb=513', 'mb'],
      ['/api/lab/memory?mb=1&holdMs=60001', 'holdMs'],
      ['/api/lab/memory?mb=1&holdMs=x', 'holdMs'],
    ];
    for (const [path, param] of cases) {
      const res = await app.request(path);
      expect(res.status, path).toBe(400);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code, path).toBe('VALIDATION_FAILED');
      expect(error.message, path).toContain(param);
      expect(error.details?.[0]?.path, path).toBe(param);
    }
  });

  it('accept the bounds themselves', async () => {
    const { app } = labApp();
    expect((await app.request('/api/lab/cpu?ms=1')).status).toBe(200);
    const res = await app.request('/api/lab/memory?mb=1&holdMs=0');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ mb: 1, holdMs: 0, chunks: 2 });
  });

  it('hold the memory for holdMs, counted in lab_memory_held_bytes, then let it go', async () => {
    const { app, deps } = labApp();
    const held = app.request('/api/lab/memory?mb=4&holdMs=300');
    await expect.poll(() => deps.protection.held.bytes).toBe(4 * 1024 * 1024);
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toContain(`lab_memory_held_bytes{instance="lab1"} ${4 * 1024 * 1024}`);
    expect((await held).status).toBe(200);
    expect(deps.protection.held.bytes).toBe(0);
  });

  it('answer /api/lab/downstream with 503 when no DOWNSTREAM_URL is set', async () => {
    const { app } = labApp();
    const res = await app.request('/api/lab/downstream');
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorBody).error.code).toBe('DOWNSTREAM_NOT_CONFIGURED');
  });
});

describe('memory guard', () => {
  it('refuses an allocation that would pass MEMORY_GUARD_MB with 503 and Retry-After, counted', async () => {
    // Far below any real heap in use: every allocation is refused.
    const { app } = labApp({ MEMORY_GUARD_MB: '1' });
    const res = await app.request('/api/lab/memory?mb=8&holdMs=0');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe('MEMORY_GUARD');
    expect(error.message).toContain('8 MB');
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toContain('lab_memory_refused_total{instance="lab1"} 1');
    expect(metrics).toContain(`memory_guard_limit_bytes{instance="lab1"} ${1024 * 1024}`);
  });

  it('lets an allocation under the limit through (a heap fraction of 1: the whole heap)', async () => {
    const { app } = labApp({ MEMORY_GUARD_HEAP_FRACTION: '1' });
    expect((await app.request('/api/lab/memory?mb=8&holdMs=0')).status).toBe(200);
  });

  it('takes one of MEMORY_GUARD_MB and MEMORY_GUARD_HEAP_FRACTION, not both', () => {
    expect(() => labApp({ MEMORY_GUARD_MB: '100', MEMORY_GUARD_HEAP_FRACTION: '0.5' })).toThrow(
      /MEMORY_GUARD_HEAP_FRACTION: set MEMORY_GUARD_MB or MEMORY_GUARD_HEAP_FRACTION, not both/,
    );
  });
});

describe('load shedding', () => {
  it('answers /api/* 503 OVERLOADED with Retry-After after the loop was blocked; /health, /ready, /metrics still run', async () => {
    // SHED_COSTLY_MS=0: every route shed alike, the cheap /api/users/1 too.
    const { app } = labApp({ SHED_LAG_MS: '100', SHED_COSTLY_MS: '0' });
    // Blocks this very event loop for 400 ms: the monitor's next tick runs late, past the threshold.
    expect((await app.request('/api/lab/cpu?ms=400')).status).toBe(200);
    await expect
      .poll(async () => (await app.request('/api/lab/cpu?ms=1')).status, { timeout: 5000 })
      .toBe(503);
    const res = await app.request('/api/users/1');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('x-instance')).toBe('lab1');
    expect(((await res.json()) as ErrorBody).error.code).toBe('OVERLOADED');
    expect((await app.request('/health')).status).toBe(200);
    // /ready runs its checks (503 here: no Postgres, no Redis), never OVERLOADED.
    const ready = await app.request('/ready');
    expect(((await ready.json()) as ErrorBody).error.code).toBe('NOT_READY');
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/http_requests_shed_total\{cost="costly",instance="lab1"\} [1-9]/);
    expect(metrics).toMatch(/eventloop_lag_seconds\{instance="lab1"\} /);
    // Once the loop keeps time for a second, work is taken again.
    await expect
      .poll(async () => (await app.request('/api/lab/cpu?ms=1')).status, { timeout: 10_000 })
      .toBe(200);
  });

  it('sheds a costly route first and a cheap one only once the loop runs 4x the threshold late', async () => {
    const { app } = labApp({ SHED_LAG_MS: '100' });
    const codeOf = async (path: string) => {
      const res = await app.request(path);
      return res.status === 200 ? 'OK' : ((await res.json()) as ErrorBody).error.code;
    };
    // /api/lab/downstream without DOWNSTREAM_URL answers at once: a cheap route (503 DOWNSTREAM_NOT_CONFIGURED).
    expect(await codeOf('/api/lab/downstream')).toBe('DOWNSTREAM_NOT_CONFIGURED');
    // 250 ms of event-loop work: the cpu route is learned costly, and the loop runs ~250 ms late (over 100, under 400).
    expect(await codeOf('/api/lab/cpu?ms=250')).toBe('OK');
    await expect.poll(() => codeOf('/api/lab/cpu?ms=1'), { timeout: 5000, interval: 5 }).toBe('OVERLOADED');
    expect(await codeOf('/api/lab/downstream')).toBe('DOWNSTREAM_NOT_CONFIGURED');
    // Once the hold is over, 600 ms of work: past 4 x 100 late, so the cheap route is shed too.
    await expect.poll(() => codeOf('/api/lab/cpu?ms=1'), { timeout: 5000 }).toBe('OK');
    expect(await codeOf('/api/lab/cpu?ms=600')).toBe('OK');
    expect(await codeOf('/api/lab/downstream')).toBe('OVERLOADED');
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/http_requests_shed_total\{cost="costly",instance="lab1"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_shed_total\{cost="cheap",instance="lab1"\} [1-9]/);
    // Each route's learned cost: the cpu route well past SHED_COSTLY_MS (2 ms), the cheap one under it.
    const cost = (route: string) =>
      Number(
        metrics.match(
          new RegExp(`shed_route_cost_seconds\\{method="GET",route="${route}",instance="lab1"\\} (\\S+)`),
        )?.[1],
      );
    expect(cost('/api/lab/cpu')).toBeGreaterThan(0.002);
    expect(cost('/api/lab/downstream')).toBeLessThan(0.002);
  });

  it('refuses a bad SHED_COSTLY_MS, naming it', () => {
    expect(() => labApp({ SHED_LAG_MS: '100', SHED_COSTLY_MS: 'fast' })).toThrow(/SHED_COSTLY_MS/);
  });

  it('is not mounted with SHED_LAG_MS=0', async () => {
    const { app, deps } = labApp();
    expect(deps.protection.lag).toBeUndefined();
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).not.toContain('eventloop_overloaded');
  });
});
