import { describe, expect, it } from 'vitest';
import { evaluateThresholds } from '../thresholds/evaluate';
import { parseThreshold } from '../thresholds/parse';
import { EndpointSeries } from './endpoint-series';
import { computeRecovery, withRecovery } from './recovery';
import { RequestStats } from './request-stats';
import { toSummary } from './summary';
import type { Annotation, TimePoint } from './summary-types';
import { requestEvent } from './test-support';

const T0 = 1_700_000_000_000;
const at = (s: number) => T0 + s * 1000;

/** Seconds of a run: each [requests, latency ms, failures (503)]; failures take the same latency. */
type Second = [requests: number, ms: number, failures: number];

function statsOf(seconds: Second[]): RequestStats {
  const stats = new RequestStats(T0);
  seconds.forEach(([n, ms, failures], s) => {
    for (let i = 0; i < n; i++) {
      const failed = i < failures;
      stats.record(
        requestEvent({
          time: at(s) + 500,
          ms,
          status: failed ? 503 : 200,
          error: failed ? 'HTTP 503' : null,
        }),
      );
    }
    stats.tick(at(s + 1), 1);
  });
  stats.finish(at(seconds.length) - 1, 1);
  return stats;
}

const seriesOf = (seconds: Second[]): TimePoint[] => statsOf(seconds).timeSeries.points;
const ok = (n: number, ms = 10): Second[] => Array.from({ length: n }, () => [10, ms, 0] as Second);
const failing = (n: number, ms = 10): Second[] => Array.from({ length: n }, () => [10, ms, 2] as Second);
const fault = (label: string, from: number, to?: number): Annotation => ({
  id: label,
  at: at(from),
  ...(to !== undefined && { end: at(to) }),
  label,
  kind: 'fault',
});

describe('computeRecovery', () => {
  it('measures an instant fault (a kill) from its own time: first failure, recovery, failures by status', () => {
    const series = seriesOf([...ok(20), ...failing(3), ...ok(20)]);
    const [r] = computeRecovery(series, [fault('app2 killed', 20)]);
    expect(r).toMatchObject({
      label: 'app2 killed',
      requests: 10,
      failures: 2,
      firstFailureS: 0,
      recoveryS: 3,
      faultFailures: 6,
    });
    expect(r!.baselineP95Ms).toBeCloseTo(10, 0);
    expect(r!.endpoints).toEqual([
      { method: 'GET', name: '/x', requests: 30, failures: 6, statuses: { '503': 6 } },
    ]);
  });

  it('measures a window from its end, and the first failure from its start', () => {
    const series = seriesOf([...ok(22), ...failing(10), ...ok(20)]);
    const [r] = computeRecovery(series, [fault('redis frozen', 20, 30)]);
    expect(r).toMatchObject({
      requests: 100,
      failures: 16,
      firstFailureS: 2,
      recoveryS: 2,
      faultFailures: 20,
    });
  });

  it('gives null with a reason when it never recovered within the run', () => {
    const [never] = computeRecovery(seriesOf([...ok(20), ...failing(30)]), [fault('db down', 20)]);
    expect(never).toMatchObject({ recoveryS: null, faultFailures: 60 });
    expect(never!.reason).toMatch(/never recovered within the run/);
    const [short] = computeRecovery(seriesOf([...ok(20), ...failing(5), ...ok(4)]), [fault('db down', 20)]);
    expect(short).toMatchObject({ recoveryS: null });
    expect(short!.reason).toMatch(/healthy for only 4 s of the 10 s hold/);
  });

  it('judges the failures alone when nothing ran before the fault (no baseline)', () => {
    const series = seriesOf([...failing(3), ...ok(15, 100)]);
    const [r] = computeRecovery(series, [fault('at start', 0)]);
    expect(r).toMatchObject({ baselineP95Ms: null, recoveryS: 3, firstFailureS: 0 });
  });

  it('waits for p95 to come back within 1.5x of the baseline once failures stopped', () => {
    const series = seriesOf([...ok(20), ...failing(2), ...ok(8, 100), ...ok(15)]);
    // Each second judged alone (as a run with 100 answers a second would be).
    const [r] = computeRecovery(series, [fault('slow after', 20)], { p95MinAnswers: 1 });
    expect(r!.recoveryS).toBe(10);
    // 10 answers a second: p95 over 5 s, so the slow seconds weigh on it 4 s longer.
    const [smoothed] = computeRecovery(series, [fault('slow after', 20)]);
    expect(smoothed!.recoveryS).toBe(14);
    // Looser limits see it recovered as soon as the failures stop.
    const [loose] = computeRecovery(series, [fault('slow after', 20)], { p95Factor: 20 });
    expect(loose!.recoveryS).toBe(2);
    const [shortHold] = computeRecovery(seriesOf([...ok(20), ...failing(2), ...ok(3)]), [fault('f', 20)], {
      holdS: 3,
    });
    expect(shortHold!.recoveryS).toBe(2);
  });

  it('marks a recovery interrupted by a second fault, and measures the second with a clean baseline', () => {
    const series = seriesOf([...ok(20), ...failing(5), ...ok(3, 14), ...failing(3), ...ok(19)]);
    const [first, second] = computeRecovery(series, [fault('kill app1', 20), fault('kill app2', 28)]);
    expect(first).toMatchObject({ recoveryS: null, faultFailures: 10 });
    expect(first!.reason).toMatch(/^interrupted: the next fault \(kill app2\)/);
    expect(second).toMatchObject({ recoveryS: 3, faultFailures: 6 });
    expect(second!.baselineP95Ms).toBeCloseTo(10, 0);
  });

  it('ignores annotations that are not faults', () => {
    const notes: Annotation[] = [
      { at: at(3), label: 'note' },
      { at: at(4), label: 'x', kind: 'note' },
    ];
    expect(computeRecovery(seriesOf(ok(10)), notes)).toEqual([]);
  });
});

describe('thresholds on fault windows', () => {
  const config = {
    host: '',
    users: 1,
    spawnRate: 1,
    rate: null,
    runTimeS: 50,
    processes: 1,
    segment: null,
    instanceHeader: 'x-instance',
    userClasses: [],
  };
  const judged = (seconds: Second[], annotations: Annotation[], expressions: string[]) => {
    const summary = withRecovery({ ...toSummary(statsOf(seconds), { config }), annotations });
    return evaluateThresholds(summary, expressions.map(parseThreshold));
  };

  it('judges the worst recovery, one window by label, and failures by endpoint', () => {
    const results = judged(
      [...ok(20), ...failing(3), ...ok(12), ...failing(5), ...ok(15)],
      [fault('kill', 20), fault('freeze', 35, 36)],
      [
        'recovery_s<4',
        'recovery_s{kill}<=3',
        'fault_failures==16',
        'fault_failures{GET /x}<10',
        'fault_failures{/y}==0',
      ],
    );
    expect(results.map((r) => [r.actual, r.ok])).toEqual([
      [4, false],
      [3, true],
      [16, true],
      [16, false],
      [0, true],
    ]);
  });

  it('judges the shortest time to a first failure, and has no value without failures', () => {
    const seconds = [...ok(20), ...ok(2), ...failing(3), ...ok(12), ...failing(5), ...ok(15)];
    const [first, byLabel] = judged(
      seconds,
      [fault('kill', 20), fault('freeze', 37, 38)],
      ['time_to_first_failure>=1', 'time_to_first_failure{kill}==2'],
    );
    expect(first).toMatchObject({ actual: 0, ok: false });
    expect(byLabel).toMatchObject({ actual: 2, ok: true });
    const [none] = judged(ok(30), [fault('harmless', 10)], ['time_to_first_failure>1']);
    expect(none).toMatchObject({ actual: null, ok: false, message: 'no failure in any fault window' });
  });

  it('fails with a reason when a window never recovered or there are no fault windows', () => {
    const [never] = judged([...ok(20), ...failing(10)], [fault('down', 20)], ['recovery_s<10']);
    expect(never).toMatchObject({ actual: null, ok: false });
    expect(never!.message).toMatch(/down: never recovered/);
    const [none] = judged(ok(10), [], ['recovery_s<10']);
    expect(none).toMatchObject({
      actual: null,
      ok: false,
      message: expect.stringMatching(/no fault windows/),
    });
    const [unknown] = judged(ok(10), [fault('a', 2)], ['recovery_s{b}<10']);
    expect(unknown!.message).toMatch(/no fault window labelled "b"/);
  });

  it('takes a low-rate second’s p95 with the seconds before it, so one slow answer does not break the hold', () => {
    // 20 answers a second at 10 ms; after 2 s of failures, every 4th second has 2 answers of 60 ms: its own p95 is
    // 60 ms (over the 15 ms limit), while 5 s of answers hold at most 4 slow ones in 100 (p95 10 ms).
    const stats = new RequestStats(T0);
    for (let s = 0; s < 42; s++) {
      for (let i = 0; i < 20; i++) {
        const failed = s >= 20 && s < 22 && i < 2;
        const slow = s >= 22 && (s - 23) % 4 === 0 && i < 2;
        stats.record(
          requestEvent({
            time: at(s) + 500,
            ms: slow ? 60 : 10,
            status: failed ? 503 : 200,
            error: failed ? 'HTTP 503' : null,
          }),
        );
      }
      stats.tick(at(s + 1), 1);
    }
    stats.finish(at(42) - 1, 1);
    const series = stats.timeSeries.points;
    const [alone] = computeRecovery(series, [fault('noisy', 20)], { p95MinAnswers: 1 });
    const [smoothed] = computeRecovery(series, [fault('noisy', 20)]);
    expect(alone!.recoveryS).toBeNull();
    expect(smoothed!.recoveryS).toBe(2);
  });

  it('measures a window marked recoverFrom start (a kill, started again later) from the kill', () => {
    const series = seriesOf([...ok(20), ...failing(1), ...ok(30)]);
    const kill: Annotation = { ...fault('app2 killed', 20, 40), recoverFrom: 'start' };
    const [fromKill] = computeRecovery(series, [kill]);
    const [fromStart] = computeRecovery(series, [{ ...kill, recoverFrom: undefined }]);
    expect(fromKill).toMatchObject({ recoveryS: 1, recoverFrom: 'start' });
    // Its requests and failures are still those of the whole band, kill to start.
    expect(fromKill!.requests).toBe(fromStart!.requests);
    expect(fromKill!.requests).toBe(200);
    expect(fromStart!.recoveryS).toBe(0);
  });
});

describe('fault_p95_ratio: did the endpoints a fault does not concern keep their latency?', () => {
  const config = {
    host: '',
    users: 1,
    spawnRate: 1,
    rate: null,
    runTimeS: 30,
    processes: 1,
    segment: null,
    instanceHeader: 'x-instance',
    userClasses: [],
  };
  // 30 s: /fast at 10 ms throughout; /slow at 20 ms, but 200 ms within the fault window (10 s to 20 s).
  function judged(expressions: string[], history = true) {
    const stats = new RequestStats(T0);
    const series = new EndpointSeries();
    for (let s = 0; s < 30; s++) {
      for (let i = 0; i < 10; i++) {
        for (const e of [
          requestEvent({ time: at(s) + 100 + i, name: '/fast', ms: 10 }),
          requestEvent({ time: at(s) + 100 + i, name: '/slow', ms: s >= 10 && s < 20 ? 200 : 20 }),
        ]) {
          stats.record(e);
          series.record(e);
        }
      }
      stats.tick(at(s + 1), 1);
    }
    stats.finish(at(30) - 1, 1);
    series.closeBefore(30 + T0 / 1000);
    const summary = {
      ...toSummary(stats, { config }),
      annotations: [fault('degrade', 10, 20)],
      ...(history && { endpointSeries: series.points }),
    };
    return evaluateThresholds(withRecovery(summary), expressions.map(parseThreshold));
  }

  it('divides the p95 within the windows by the p95 before the first, per endpoint and of the totals', () => {
    const [fast, slow, total] = judged([
      'fault_p95_ratio{/fast}<1.5',
      'fault_p95_ratio{GET /slow}<1.5',
      'fault_p95_ratio<1.5',
    ]);
    expect(fast!.ok).toBe(true);
    expect(fast!.actual).toBeCloseTo(1, 1);
    expect(slow!.ok).toBe(false);
    expect(slow!.actual).toBeCloseTo(10, 0);
    // Totals: before, half the answers at 10 ms and half at 20 (p95 20); within, half at 200 (p95 200).
    expect(total!.actual).toBeCloseTo(10, 0);
  });

  it('has no value without the per-endpoint history, without a fault, or without a baseline', () => {
    const [noHistory] = judged(['fault_p95_ratio{/fast}<1.5'], false);
    expect(noHistory).toMatchObject({ actual: null, ok: false });
    expect(noHistory!.message).toMatch(/per-endpoint history/);
    const stats = new RequestStats(T0);
    stats.record(requestEvent({ time: at(0) + 100, ms: 5 }));
    stats.finish(at(1), 1);
    const bare = toSummary(stats, { config });
    const [noFault] = evaluateThresholds(bare, [parseThreshold('fault_p95_ratio<2')]);
    expect(noFault!.message).toMatch(/no fault windows/);
    const [noBaseline] = evaluateThresholds(withRecovery({ ...bare, annotations: [fault('f', 0, 1)] }), [
      parseThreshold('fault_p95_ratio<2'),
    ]);
    expect(noBaseline!.message).toMatch(/no requests before the first fault window/);
  });
});
