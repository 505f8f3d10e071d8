import { describe, expect, it } from 'vitest';
import { HttpUser, runSwarm } from '../src/index';
import { cliSandbox } from './support/cli';
import { startTestServer } from './support/test-server';

const box = cliSandbox('swarm-engine-health-');

/** Holds the event loop for `BLOCK_MS` in its `onStop`, as closing thousands of connections at the end does. */
const BLOCK_MS = 400;
class SlowToStop extends HttpUser {
  static override tasks = ['read'];
  async read() {
    await this.client.get('/');
  }
  override async onStop() {
    const until = performance.now() + BLOCK_MS;
    while (performance.now() < until) {
      // busy: the loop is held, as by a synchronous teardown
    }
    // A turn of the loop after it, in which the lag monitor's own timer notes the delay.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the engine's health in the summary", () => {
  it('is the run: a teardown after the clock (no stop timeout) is not its event-loop lag', async () => {
    box.server = await startTestServer();
    const summary = await runSwarm({ classes: [SlowToStop], host: box.server.url, users: 1, runTimeS: 1 });
    expect(summary.monitor?.eventLoopLagMaxMs).toBeLessThan(BLOCK_MS / 2);
  });

  it('with a stop timeout, what users do in it counts: a blocking onStop is in the lag', async () => {
    box.server = await startTestServer();
    const summary = await runSwarm({
      classes: [SlowToStop],
      host: box.server.url,
      users: 1,
      runTimeS: 1,
      stopTimeoutS: 5,
    });
    expect(summary.monitor?.eventLoopLagMaxMs).toBeGreaterThanOrEqual(BLOCK_MS * 0.9);
  });
});
