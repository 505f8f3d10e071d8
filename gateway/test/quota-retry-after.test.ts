import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpUser, runSwarm } from '../../packages/swarm/src/index';
import { freePort } from '../../scripts/lib/ports';
import { downTestStack, type TestStack, upTestStack } from './support/stack';

// Swarm against the gateway's own quota: users that go on at once after a 429 are mostly throttled; users that
// honour its Retry-After see few: a user that sends without pause gets the first request and the burst (21)
// through, then a 429; waiting its Retry-After (1 s) makes room for 10 more (the rate), then the next 429. The
// replicas see no more than the quota lets through.
let stack: TestStack;

beforeAll(async () => {
  stack = await upTestStack(2, {
    QUOTA_RATE: '10r/s',
    QUOTA_BURST: '20',
    MONITOR: 'off',
    DOWNSTREAM_PORT: String(await freePort()),
  });
});

afterAll(async () => {
  await downTestStack(stack);
});

class Reader extends HttpUser {
  static override tasks = ['read'];
  async read() {
    await this.client.get('/api/users?limit=1', { name: 'read' });
  }
}

/** A reader for 5 s without a wait between requests: one client of the gateway. */
const run = (honorRetryAfter: boolean) =>
  runSwarm({
    classes: [Reader],
    host: `http://127.0.0.1:${stack.gatewayPort}`,
    users: 1,
    spawnRate: 100,
    runTimeS: 5,
    honorRetryAfter,
  });

describe("Swarm and the gateway's quota", () => {
  it('counts the 429s as throttled; honouring Retry-After, users see few of them and wait instead', async () => {
    const eager = await run(false);
    const polite = await run(true);
    const share = (s: typeof eager) => s.total.throttled / s.total.requests;
    expect([eager.total.failures, polite.total.failures]).toEqual([0, 0]);
    // Eager users send as fast as 429s come back: nearly all their requests are refused.
    expect(share(eager)).toBeGreaterThan(0.9);
    // A polite user's share is about 1 in 11 (one 429 a second, the rate's 10 passed), whatever the machine's speed.
    expect(share(polite)).toBeLessThan(0.2);
    expect(polite.metrics.retry_after_waits).toBeGreaterThan(0);
    expect(polite.metrics.retry_after_wait_ms).toBeGreaterThan(900);
    // What passed in each run is within the quota: the first request and the burst, plus 10 a second over the run
    // (and the second that was starting when it ended).
    for (const s of [eager, polite]) {
      const passed = s.total.requests - s.total.throttled;
      expect(passed).toBeLessThanOrEqual(21 + 10 * Math.ceil(s.durationS + 1));
    }
  });
});
