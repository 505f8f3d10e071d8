import { afterEach, describe, expect, it, vi } from 'vitest';
import { testEnvironment } from '../user/test-support';
import { User } from '../user/user';
import { constant } from '../user/wait-time';
import { ClosedRunner } from './closed-runner';
import { resolveKinds } from './run-plan';

/** A user that waits a minute between tasks: it only has to exist. */
class Idle extends User {
  static override tasks = ['nothing'];
  override waitTime = constant(60);
  nothing() {}
}

function runner(): ClosedRunner {
  return new ClosedRunner(testEnvironment(), resolveKinds({ classes: [Idle] }), undefined, () => {});
}

describe('ClosedRunner spawning', () => {
  it('starts the users due within the first tick at once: 50 users at 100,000/s before any timer runs', async () => {
    const r = runner();
    r.setTarget(50, 100_000);
    // Synchronously, before the 10 ms tick: it was 1 user now and 49 at the next tick.
    expect(r.userCount).toBe(50);
    await r.stop(0);
  });

  it('keeps the ramp of a fast rate on its schedule after the first tick', async () => {
    const r = runner();
    r.setTarget(100, 1000);
    // The first 10 ms tick's 10 users now; the other 90 follow the rate, not at once.
    expect(r.userCount).toBe(10);
    await r.stop(0);
  });

  it('starts one user at once at 100/s or less, as before', async () => {
    for (const rate of [1, 10, 100]) {
      const r = runner();
      r.setTarget(20, rate);
      expect(r.userCount).toBe(1);
      await r.stop(0);
    }
  });

  describe('on a clock', () => {
    afterEach(() => vi.useRealTimers());

    it('starts user k at k / spawnRate: at 2/s at 0 s, 0.5 s and 1 s', async () => {
      vi.useFakeTimers({
        toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'],
      });
      const r = runner();
      r.setTarget(3, 2);
      expect(r.userCount).toBe(1);
      await vi.advanceTimersByTimeAsync(390);
      expect(r.userCount).toBe(1);
      await vi.advanceTimersByTimeAsync(120); // 510 ms
      expect(r.userCount).toBe(2);
      await vi.advanceTimersByTimeAsync(400); // 910 ms
      expect(r.userCount).toBe(2);
      await vi.advanceTimersByTimeAsync(120); // 1030 ms
      expect(r.userCount).toBe(3);
      const stopping = r.stop(0);
      await vi.runAllTimersAsync();
      await stopping;
    });
  });
});
