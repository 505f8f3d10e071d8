import { describe, expect, it } from 'vitest';
import { Events } from '../events/events';
import { User } from '../user/user';
import { constant } from '../user/wait-time';
import { runSwarm } from './run';

/** When each user's teardown (`dispose`) began and ended: it takes 300 ms, like sockets slow to close. */
let disposeStarts: number[] = [];
let disposeEnds: number[] = [];

class SlowToDispose extends User {
  static override tasks = ['tick'];
  override waitTime = constant(60);
  tick() {
    this.environment.events.request.fire({
      method: 'GET',
      name: '/tick',
      ms: 1,
      bytes: 0,
      status: 200,
      error: null,
      throttled: false,
      time: Date.now(),
    });
  }
  override async dispose(_force: boolean): Promise<void> {
    disposeStarts.push(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 300));
    disposeEnds.push(Date.now());
  }
}

/** Runs 3 users until each has counted one request, then stops the run (as Ctrl-C would). */
async function runUntilCounted(stopTimeoutS: number) {
  disposeStarts = [];
  disposeEnds = [];
  const events = new Events();
  const controller = new AbortController();
  let counted = 0;
  events.request.add(() => {
    if (++counted === 3) setImmediate(() => controller.abort());
  });
  const summary = await runSwarm({
    classes: [SlowToDispose],
    users: 3,
    spawnRate: 1000,
    events,
    signal: controller.signal,
    stopTimeoutS,
  });
  return summary;
}

describe("the run's clock", () => {
  it('ends when the users are stopped, not once their teardown is over (no stop timeout)', async () => {
    const s = await runUntilCounted(0);
    expect(s.total.requests).toBe(3);
    // Each user's forced teardown (and its loop's own, as it ends).
    expect(disposeStarts.length).toBeGreaterThanOrEqual(3);
    // The teardown's 300 ms are not run time: the clock stopped before the first teardown began.
    expect(s.endedAt).toBeLessThanOrEqual(Math.min(...disposeStarts));
    expect(s.durationS).toBe((s.endedAt - s.startedAt) / 1000);
  });

  it('includes the stop timeout, in which users may finish their tasks and count requests', async () => {
    const s = await runUntilCounted(5);
    expect(s.total.requests).toBe(3);
    // Waiting users end at once; their teardown is awaited within the stop and counts as run time. Compared with
    // when each teardown ended, not its start + 300 ms: a 300 ms timer may fire a millisecond early on Date.now()'s
    // clock (CI saw endedAt 1 ms short of that sum).
    expect(disposeEnds.length).toBeGreaterThanOrEqual(3);
    expect(s.endedAt).toBeGreaterThanOrEqual(Math.max(...disposeEnds));
    expect(s.endedAt - Math.max(...disposeStarts)).toBeGreaterThanOrEqual(299);
  });
});
