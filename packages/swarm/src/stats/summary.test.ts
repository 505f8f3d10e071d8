import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../events/request-event';
import { RequestStats } from './request-stats';
import { assertSummary, mergeSummaries, toSummary } from './summary';
import type { RunConfigSummary } from './summary-types';
import { requestEvent, seededRandom } from './test-support';

const T0 = 1_700_000_000_000;
const config: RunConfigSummary = {
  host: 'http://127.0.0.1',
  users: 10,
  spawnRate: 10,
  rate: null,
  runTimeS: 5,
  processes: 1,
  segment: null,
  instanceHeader: 'x-instance',
  userClasses: ['U'],
};

function events(n: number, seed: number): RequestEvent[] {
  const r = seededRandom(seed);
  const names = ['/a', '/b/:id', '/c'];
  return Array.from({ length: n }, (_, i) =>
    requestEvent({
      method: r() < 0.8 ? 'GET' : 'POST',
      name: names[Math.floor(r() * 3)]!,
      ms: Math.round(r() ** 3 * 500_000) / 1000,
      serviceMs: Math.round(r() * 50_000) / 1000,
      bytes: Math.floor(r() * 1000),
      error: r() < 0.05 ? 'HTTP 500' : null,
      throttled: r() < 0.02,
      instance: `api-${Math.floor(r() * 3)}`,
      cache: r() < 0.7 ? 'HIT' : 'MISS',
      time: T0 + Math.floor((i / n) * 4000),
    }),
  );
}

function summarise(evs: RequestEvent[]) {
  const s = new RequestStats(T0);
  for (const e of evs) s.record(e);
  s.finish(T0 + 4000, 10);
  return toSummary(s, { config });
}

/** Drops what legitimately differs between a merge and a single run (current rates are window estimates). */
function comparable(summary: ReturnType<typeof summarise>) {
  const strip = ({ currentRps, currentFailRps, ...rest }: typeof summary.total) => rest;
  return {
    total: strip(summary.total),
    endpoints: summary.endpoints.map(strip),
    errors: summary.errors,
    // Users add up across parts (each worker has its own), so they are compared apart.
    timeSeries: summary.timeSeries.map(({ users, ...rest }) => rest),
  };
}

describe('summaries', () => {
  it('merging two halves gives exactly the summary of the whole', () => {
    const all = events(6000, 3);
    const whole = summarise(all);
    const halves = mergeSummaries([
      summarise(all.filter((_, i) => i % 2 === 0)),
      summarise(all.filter((_, i) => i % 2 === 1)),
    ]);
    expect(comparable(halves)).toEqual(comparable(whole));
    expect(halves.total.requests).toBe(6000);
    expect(halves.config.users).toBe(20);
    expect(halves.config.processes).toBe(2);
  });

  it('survives JSON round trips before merging', () => {
    const all = events(1000, 9);
    const a = JSON.parse(JSON.stringify(summarise(all.slice(0, 300))));
    const b = JSON.parse(JSON.stringify(summarise(all.slice(300))));
    assertSummary(a, 'a.json');
    assertSummary(b, 'b.json');
    expect(comparable(mergeSummaries([a, b]))).toEqual(comparable(summarise(all)));
  });

  it('reports rates over the run and service time beside the corrected latency', () => {
    const s = summarise(events(2000, 5));
    expect(s.durationS).toBe(4);
    expect(s.total.rps).toBe(500);
    expect(s.total.service).toBeDefined();
    expect(s.total.service!.percentiles['99']).toBeLessThanOrEqual(50.1);
    expect(Object.keys(s.total.cache)).toEqual(['HIT', 'MISS']);
    expect(s.total.cache.HIT!.requests + s.total.cache.MISS!.requests).toBe(2000);
  });

  it('never reports a percentile above the max or below the min, before and after a merge', () => {
    // Few requests per row, cache value and second: the histograms' bucket tops would show above the max.
    const all = events(300, 13);
    const whole = summarise(all);
    const merged = mergeSummaries(
      [all.slice(0, 100), all.slice(100)].map((part) => JSON.parse(JSON.stringify(summarise(part)))),
    );
    for (const s of [whole, merged]) {
      for (const e of [s.total, ...s.endpoints]) {
        expect(e.percentiles['100']).toBe(e.maxMs);
        for (const v of Object.values(e.percentiles)) {
          expect(v).toBeGreaterThanOrEqual(e.minMs);
          expect(v).toBeLessThanOrEqual(e.maxMs);
        }
        const svc = e.service!;
        expect(svc.percentiles['100']).toBe(svc.maxMs);
        for (const v of Object.values(svc.percentiles)) expect(v).toBeGreaterThanOrEqual(svc.minMs!);
        for (const c of Object.values(e.cache)) {
          expect(c.p95Ms).toBeLessThanOrEqual(c.maxMs!);
          expect(c.p50Ms).toBeGreaterThanOrEqual(c.minMs!);
        }
      }
      for (const p of s.timeSeries.filter((p) => p.requests > 0)) {
        expect(p.p95Ms).toBeLessThanOrEqual(p.maxMs!);
        expect(p.p50Ms).toBeGreaterThanOrEqual(p.minMs!);
      }
    }
    expect(merged.total.maxMs).toBe(Math.max(...all.map((e) => e.ms)));
    expect(comparable(merged)).toEqual(comparable(whole));
  });

  it("keeps the parts' annotations once, adds their custom metrics and keeps their server series", () => {
    const all = events(200, 4);
    const server = (points: Array<[number, number]>, warnings: string[] = []) => ({
      source: 'http://prom',
      stepS: 1,
      queries: [{ name: 'cpu', query: 'rate(cpu[5s])', unit: 'cores' }],
      series: [{ name: 'cpu', labels: { instance: 'app1' }, points }],
      warnings,
    });
    const fault = { id: 'f1', at: 5, label: 'kill', kind: 'fault' };
    const a = {
      ...summarise(all.slice(0, 100)),
      annotations: [fault, { id: 'w1-1', at: 2, label: 'note' }],
      metrics: { stale_reads: 1, lost_writes: 0 },
      server: server([[10, 0.5]]),
    };
    const b = {
      ...summarise(all.slice(100)),
      annotations: [{ ...fault, end: 9 }],
      metrics: { stale_reads: 2 },
      server: server([[11, 0.7]], ['slow']),
    };
    const merged = mergeSummaries([a, b]);
    expect(merged.annotations).toEqual([
      { id: 'w1-1', at: 2, label: 'note' },
      { ...fault, end: 9 },
    ]);
    expect(merged.metrics).toEqual({ lost_writes: 0, stale_reads: 3 });
    expect(merged.server?.series).toEqual([
      {
        name: 'cpu',
        labels: { instance: 'app1' },
        points: [
          [10, 0.5],
          [11, 0.7],
        ],
      },
    ]);
    expect(merged.server?.warnings).toEqual(['slow']);
    expect(mergeSummaries([a]).server).toEqual(a.server);
    expect(mergeSummaries([summarise(all)]).server).toBeUndefined();
  });

  it('reads a v1 summary, without annotations, metrics or recovery, as empty ones', () => {
    const { annotations, metrics, recovery, ...v1 } = JSON.parse(JSON.stringify(summarise(events(10, 1))));
    v1.schema = 'swarm.summary/v1';
    assertSummary(v1, 'old.json');
    expect(v1).toMatchObject({ schema: 'swarm.summary/v2', annotations: [], metrics: {}, recovery: [] });
  });

  it('rejects a file that is not a summary, naming the file', () => {
    expect(() => assertSummary({ schema: 'other' }, 'x.json')).toThrow(/x\.json: schema/);
  });
});
