import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sloFromThresholds } from '../src/capacity/slo';
import { runCapacity } from '../src/cli/capacity-end';
import { HttpUser, rateStages, runSwarm } from '../src/index';
import { abortOn } from '../src/runner/slo-abort';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
let stopBucket: (() => void) | undefined;
afterEach(async () => {
  stopBucket?.();
  stopBucket = undefined;
  await server?.close();
  server = undefined;
});

class Caller extends HttpUser {
  static override tasks = ['call'];
  async call() {
    await this.client.get('/work');
  }
}

/**
 * A server with a known capacity: it answers exactly `perSecond` requests a second (a token bucket refilled every
 * few ms; a burst of at most 50 ms' worth, so a late timer on a loaded machine still serves the rate) and queues the rest, so past that rate the queue and the latency climb.
 */
async function tokenBucketServer(perSecond: number): Promise<TestServer> {
  const queue: ServerResponse[] = [];
  let tokens = 0;
  let last = performance.now();
  const refill = setInterval(() => {
    const now = performance.now();
    tokens = Math.min(perSecond / 20, tokens + ((now - last) * perSecond) / 1000);
    last = now;
    while (tokens >= 1 && queue.length > 0) {
      tokens -= 1;
      queue.shift()!.end('ok');
    }
  }, 2);
  stopBucket = () => clearInterval(refill);
  return startTestServer((_req, res) => {
    queue.push(res);
  });
}

describe('breakpoint (open-model ramp, --abort-on, knee)', () => {
  it('finds the knee of a 100 req/s server within 10 % and stops soon after the break', async () => {
    const capacity = 100;
    server = await tokenBucketServer(capacity);
    const slo = sloFromThresholds(['p(95)<50', 'rate<0.01']);
    const started = Date.now();
    // 70 → 140/s over 25 s (2.8/s per second): a 5 s held window spans ~11 req/s, about the 10 %, and the break
    // comes ~10 s in. Without the abort it would run all 25 s.
    const s = await runSwarm({
      classes: [Caller],
      host: server.url,
      shape: rateStages([
        { duration: 0, target: 70 },
        { duration: '25s', target: 140 },
      ]),
      maxUsers: 2000,
      stopTimeoutS: 0,
      abortOn: abortOn(slo),
    });
    expect(s.stop?.reason).toBe('slo_broken');
    expect(s.stop?.detail).toMatch(/^SLO broken: /);
    // The offered rate and the drops are in the time series, every second.
    expect(s.timeSeries.every((p) => p.offered !== undefined && p.dropped !== undefined)).toBe(true);
    const { json, text } = runCapacity(s, slo);
    expect(json.reached).toBe(true);
    expect(json.rateBasis).toBe('offered');
    expect(json.knee).not.toBeNull();
    expect(json.knee!.rps).toBeGreaterThanOrEqual(capacity * 0.9);
    expect(json.knee!.rps).toBeLessThanOrEqual(capacity * 1.1);
    expect(json.knee!.latencyMs!).toBeLessThanOrEqual(50);
    // Stopped within a few seconds of the break (3 broken seconds, then the next tick), not at the ramp's end.
    const brokeAtMs = json.break!.t * 1000;
    expect(s.endedAt - brokeAtMs).toBeLessThan(6_000);
    expect(s.endedAt - started).toBeLessThan(24_000);
    expect(json.saturation?.verdict).not.toBe('generator');
    expect(text).toContain('knee');
  }, 40_000);

  it('stops a run within a few seconds once failures break the SLO, with stop reason slo_broken', async () => {
    let failFrom = Number.POSITIVE_INFINITY;
    let served = 0;
    server = await startTestServer((_req, res) => {
      served++;
      if (served === 200) failFrom = Date.now();
      res.statusCode = Date.now() >= failFrom ? 500 : 200;
      res.end('x');
    });
    const s = await runSwarm({
      classes: [Caller],
      host: server.url,
      rate: 100,
      runTimeS: 30,
      abortOn: abortOn(sloFromThresholds(['p(95)<1000', 'rate<0.01'])),
    });
    expect(s.stop?.reason).toBe('slo_broken');
    expect(s.stop?.detail).toContain('failures');
    // Swarm marks the timeline where it stopped the run.
    expect(s.annotations).toEqual([
      expect.objectContaining({ label: s.stop?.detail, kind: 'swarm', source: 'swarm' }),
    ]);
    expect(Number.isFinite(failFrom)).toBe(true);
    // 3 broken seconds (the first maybe partial), then the tick that sees them: well under 6 s.
    expect(s.endedAt - failFrom).toBeLessThan(6_000);
    expect(s.endedAt - failFrom).toBeGreaterThanOrEqual(2_000);
  }, 40_000);
});
