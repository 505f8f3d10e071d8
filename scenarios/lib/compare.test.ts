import type { Summary } from 'swarmgate-swarm';
import { describe, expect, it } from 'vitest';
import { compareWithServers } from './compare';
import type { ServerCounts } from './server-side';

const cache = { hit: 0, miss: 0, bypass: 0 };
const counts = (app1: number, app2: number, hits = 0): ServerCounts => ({
  replicas: { app1: { requests: app1, cache }, app2: { requests: app2, cache } },
  redis: { hits, misses: 0 },
});
/** The fields of a summary the comparison reads. */
const summary = (o: {
  app1: number;
  app2: number;
  failures?: number;
  interrupted?: number;
  hits?: number;
  faulted?: boolean;
  maxMs?: number;
}) =>
  ({
    annotations: o.faulted ? [{ at: 1, label: 'app2 killed', kind: 'fault' }] : [],
    total: {
      failures: o.failures ?? 0,
      maxMs: o.maxMs ?? 100,
      instances: { app1: o.app1, app2: o.app2 },
      cache: { HIT: { requests: o.hits ?? 0 } },
    },
    interrupted: o.interrupted,
  }) as unknown as Summary;
const checks = (before: ServerCounts, after: ServerCounts, s: Summary) =>
  compareWithServers(before, after, s).checks!.map((c) => [c.expression, c.actual, c.ok]);

describe('compareWithServers', () => {
  it('passes when each replica counted exactly what the client attributed to it', () => {
    expect(checks(counts(10, 20), counts(15, 27, 3), summary({ app1: 5, app2: 7, hits: 3 }))).toEqual([
      ['server_request_diff==0', 0, true],
      ['redis_hits>=client_hits', 0, true],
    ]);
  });

  it('fails when a replica counted a request the client never reported', () => {
    expect(checks(counts(10, 20), counts(16, 27), summary({ app1: 5, app2: 7 }))[0]).toEqual([
      'server_request_diff==0',
      1,
      false,
    ]);
  });

  it('allows as many extra server counts as requests were cut short by the stop, and no more', () => {
    expect(checks(counts(10, 20), counts(16, 27), summary({ app1: 5, app2: 7, interrupted: 2 }))[0]).toEqual([
      'server_request_diff<=2',
      1,
      true,
    ]);
    expect(checks(counts(10, 20), counts(18, 28), summary({ app1: 5, app2: 7, interrupted: 2 }))[0]).toEqual([
      'server_request_diff<=2',
      4,
      false,
    ]);
  });

  it('never accepts a replica counting fewer than the client attributed to it', () => {
    expect(checks(counts(10, 20), counts(14, 28), summary({ app1: 5, app2: 7, interrupted: 2 }))[0]).toEqual([
      'server_request_diff<=2',
      2,
      false,
    ]);
  });

  it('makes no request check when requests failed, and flags Redis counting fewer hits than the client saw', () => {
    expect(
      checks(counts(10, 20), counts(16, 27, 1), summary({ app1: 5, app2: 7, failures: 1, hits: 2 })),
    ).toEqual([['redis_hits>=client_hits', -1, false]]);
  });

  it('checks no server count when a fault may have restarted a replica or Redis, and says why', () => {
    const faulted = summary({ app1: 5, app2: 7, hits: 3, faulted: true });
    const r = compareWithServers(counts(10, 20, 9), counts(15, 2, 1), faulted);
    expect(r.checks).toEqual([]);
    expect(r.sections![0]!.note).toMatch(/not checked: faults were applied during this run/);
  });

  it('checks no request count when a request outlasted the gateway read timeout (a read may be sent twice)', () => {
    const slow = summary({ app1: 5, app2: 7, hits: 3, maxMs: 14_000 });
    const r = compareWithServers(counts(10, 20, 9), counts(16, 27, 12), slow, 10_000);
    expect(r.checks!.map((c) => c.expression)).toEqual(['redis_hits>=client_hits']);
    expect(r.sections![0]!.note).toMatch(
      /requests not checked: some took 14 s, past the gateway's read timeout/,
    );
    expect(compareWithServers(counts(10, 20, 9), counts(16, 27, 12), slow, 20_000).checks).toHaveLength(2);
  });
});
