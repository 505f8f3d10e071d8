import { RequestStats } from '../stats/request-stats';
import { toSummary } from '../stats/summary';
import type { Summary } from '../stats/summary-types';
import { requestEvent as ev } from '../stats/test-support';

const CONFIG = {
  host: 'http://127.0.0.1:1',
  users: 3,
  spawnRate: 3,
  rate: null,
  runTimeS: 2,
  processes: 1,
  segment: null,
  instanceHeader: 'x-instance',
  userClasses: ['Reader'],
};

/** The summary of one second of GET /x requests taking `times` ms. */
export function summaryOf(times: number[]): Summary {
  const T0 = 1_700_000_000_000;
  const s = new RequestStats(T0);
  times.forEach((ms, i) => {
    s.record(ev({ ms, time: T0 + i }));
  });
  s.finish(T0 + 1000, 1);
  return toSummary(s, { config: CONFIG });
}

/** A small, fully known summary for reporter tests. */
export function sampleSummary(): Summary {
  const T0 = 1_700_000_000_000;
  const s = new RequestStats(T0);
  for (let i = 1; i <= 10; i++) {
    s.record(
      ev({
        name: '/users/:id',
        ms: i * 10,
        time: T0 + i * 100,
        instance: i % 2 ? 'api-1' : 'api-2',
        cache: i <= 8 ? 'HIT' : 'MISS',
      }),
    );
  }
  s.record(ev({ method: 'POST', name: 'create, "quoted"', ms: 5, error: 'HTTP 500', time: T0 + 1500 }));
  s.record(ev({ name: '/limited', status: 429, throttled: true, ms: 1, time: T0 + 1600 }));
  s.recordException('Reader.browse', new TypeError('boom'));
  s.finish(T0 + 2000, 3);
  return toSummary(s, {
    config: CONFIG,
    thresholds: [
      { expression: 'p(95)<500', actual: 100.031, ok: true },
      { expression: 'rate<0.01', actual: 1 / 12, ok: false },
    ],
    monitor: {
      cpuPercent: 97,
      eventLoopLagP99Ms: 3,
      eventLoopLagMaxMs: 9,
      maxRssMb: 80,
      warning: 'the load generator was saturated',
    },
  });
}
