import { describe, expect, it } from 'vitest';
import { createApp, type DownstreamState } from './app';
import { createLogger } from './logger';
import { createMetrics } from './metrics';

function downstream(random: () => number = () => 0.5) {
  const initial = { latencyMs: 10, jitterMs: 0, errorRate: 0 };
  const state: DownstreamState = { initial, current: { ...initial } };
  const slept: number[] = [];
  const app = createApp({
    instance: 'ds1',
    state,
    metrics: createMetrics('ds1', () => state.current),
    log: createLogger('silent', 'ds1'),
    random,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  const put = (body: unknown) =>
    app.request('/admin/behaviour', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, state, slept, put };
}

describe('GET /work', () => {
  it('answers after the drawn latency', async () => {
    const { app, slept } = downstream();
    const res = await app.request('/work');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, instance: 'ds1', delayMs: 10 });
    expect(slept).toEqual([10]);
  });

  it('fails with a JSON 500 at the error rate, after the latency', async () => {
    const { app, put, slept } = downstream(() => 0.1);
    await put({ errorRate: 0.2, latencyMs: 2000 });
    const res = await app.request('/work');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INJECTED_FAILURE');
    expect(slept).toEqual([2000]);
  });
});

describe('/admin/behaviour', () => {
  it('changes only the given fields, shows the result, and DELETE goes back to the start', async () => {
    const { app, put } = downstream();
    const res = await put({ latencyMs: 2000, errorRate: 0.2 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ latencyMs: 2000, jitterMs: 0, errorRate: 0.2 });
    expect(await (await app.request('/admin/behaviour')).json()).toEqual({
      latencyMs: 2000,
      jitterMs: 0,
      errorRate: 0.2,
    });
    const reset = await app.request('/admin/behaviour', { method: 'DELETE' });
    expect(await reset.json()).toEqual({ latencyMs: 10, jitterMs: 0, errorRate: 0 });
  });

  it('refuses a bad change with a 400 naming the field, and keeps the behaviour', async () => {
    const { put, state } = downstream();
    const bad = await put({ errorRate: 2 });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details[0]!.path).toBe('errorRate');
    expect((await put('{nope')).status).toBe(400);
    expect(state.current).toEqual(state.initial);
  });
});

describe('/health and /metrics', () => {
  it('answer, the metrics with the settings and the answers by outcome', async () => {
    const { app, put } = downstream(() => 0);
    expect((await app.request('/health')).status).toBe(200);
    await put({ errorRate: 1, latencyMs: 1500 });
    await app.request('/work');
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('downstream_latency_setting_seconds{instance="ds1"} 1.5');
    expect(text).toContain('downstream_error_rate_setting{instance="ds1"} 1');
    expect(text).toContain('downstream_work_requests_total{outcome="failed",instance="ds1"} 1');
  });

  it('answer an unknown route with a JSON 404', async () => {
    const { app } = downstream();
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');
  });
});
