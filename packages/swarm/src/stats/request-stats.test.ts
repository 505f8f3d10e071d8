import { describe, expect, it } from 'vitest';
import { RequestStats } from './request-stats';
import { requestEvent as ev } from './test-support';

const T0 = 1_700_000_000_000;

describe('RequestStats', () => {
  it('keys entries by (method, name) and keeps a total', () => {
    const s = new RequestStats(T0);
    s.record(ev({ method: 'GET', name: '/a', ms: 10 }));
    s.record(ev({ method: 'GET', name: '/a', ms: 30 }));
    s.record(ev({ method: 'POST', name: '/a', ms: 20, bytes: 50 }));
    const get = s.entry('GET', '/a');
    expect(get.requests).toBe(2);
    expect(get.sumUs).toBe(40_000);
    expect(get.minMs).toBe(10);
    expect(get.maxMs).toBe(30);
    expect(s.entry('POST', '/a').bytes).toBe(50);
    expect(s.total.requests).toBe(3);
    expect(s.sortedEntries().map((e) => e.method)).toEqual(['GET', 'POST']);
  });

  it('groups errors by (method, name, error) with counts', () => {
    const s = new RequestStats(T0);
    s.record(ev({ error: 'HTTP 500' }));
    s.record(ev({ error: 'HTTP 500' }));
    s.record(ev({ error: 'ECONNREFUSED' }));
    s.record(ev({ name: '/b', error: 'HTTP 500' }));
    const counts = [...s.errors.values()].map((e) => [e.name, e.error, e.occurrences]);
    expect(counts).toEqual([
      ['/x', 'HTTP 500', 2],
      ['/x', 'ECONNREFUSED', 1],
      ['/b', 'HTTP 500', 1],
    ]);
    expect(s.total.failures).toBe(4);
  });

  it('counts 429 as throttled, apart from failures', () => {
    const s = new RequestStats(T0);
    s.record(ev({ status: 429, throttled: true }));
    s.record(ev({ status: 200 }));
    expect(s.total.throttled).toBe(1);
    expect(s.total.failures).toBe(0);
  });

  it('attributes requests to instances in total and per endpoint', () => {
    const s = new RequestStats(T0);
    s.record(ev({ name: '/a', instance: 'api-1' }));
    s.record(ev({ name: '/a', instance: 'api-2' }));
    s.record(ev({ name: '/b', instance: 'api-1' }));
    s.record(ev({ name: '/b' }));
    expect(Object.fromEntries(s.total.instances)).toEqual({ 'api-1': 2, 'api-2': 1 });
    expect(Object.fromEntries(s.entry('GET', '/b').instances)).toEqual({ 'api-1': 1 });
  });

  it('keeps HIT and MISS latency apart', () => {
    const s = new RequestStats(T0);
    for (let i = 0; i < 9; i++) s.record(ev({ cache: 'HIT', ms: 2 }));
    s.record(ev({ cache: 'MISS', ms: 40 }));
    expect(s.total.cache.get('HIT')!.hist.totalCount).toBe(9);
    expect(s.total.cache.get('HIT')!.sumUs).toBe(18_000);
    expect(s.total.cache.get('MISS')!.sumUs).toBe(40_000);
  });

  it('counts task exceptions by task and message, keeping the first one’s stack as the traceback', () => {
    const s = new RequestStats(T0);
    const first = new TypeError('x is undefined');
    s.recordException('browse', first);
    s.recordException('browse', new TypeError('x is undefined'));
    s.recordException('browse', 'a string');
    expect([...s.exceptions.values()]).toEqual([
      { task: 'browse', message: 'TypeError: x is undefined', count: 2, traceback: first.stack },
      { task: 'browse', message: 'a string', count: 1 },
    ]);
  });

  it('writes one time-series point per second, including empty seconds', () => {
    const s = new RequestStats(T0);
    s.tick(T0, 5);
    s.record(ev({ time: T0 + 100, ms: 10 }));
    s.record(ev({ time: T0 + 200, ms: 20, error: 'x' }));
    s.record(ev({ time: T0 + 2100, ms: 30 }));
    s.finish(T0 + 2500, 5);
    const points = s.timeSeries.points.map((p) => [p.t - T0 / 1000, p.requests, p.failures, p.users]);
    expect(points).toEqual([
      [0, 2, 1, 5],
      [1, 0, 0, 5],
      [2, 1, 0, 5],
    ]);
  });
});
