import { describe, expect, it } from 'vitest';
import { Events, HttpUser, runSwarm, stopCause } from '../src/index';
import { cliSandbox, FIXTURES, headlessRun, runCli } from './support/cli';
import { startTestServer } from './support/test-server';

const box = cliSandbox('swarm-warm-up-');

/** Reads `/read`: the warm-up's own requests go to `/` on a server of its own. */
class Reader extends HttpUser {
  static override tasks = ['read'];
  async read() {
    await this.client.get('/read');
  }
}

describe('the engine warm-up', () => {
  it('sends its requests to a server of its own before the clock: the target, the events and the summary see the run only', async () => {
    const server = await startTestServer();
    box.server = server;
    const events = new Events();
    let seen = 0;
    events.request.add(() => {
      seen++;
    });
    let warmed: { requests: number; ms: number } | null = null;
    let firstRequestAt = 0;
    events.request.add((e) => {
      firstRequestAt ||= e.time;
    });
    const before = Date.now();
    const summary = await runSwarm({
      classes: [Reader],
      host: server.url,
      users: 2,
      spawnRate: 100,
      runTimeS: 1,
      // Users finish their request in flight at the end: every request sent is counted.
      stopTimeoutS: 5,
      events,
      warmUp: { requests: 1000 },
      onWarmUp: (w) => {
        warmed = w;
      },
    });
    expect(warmed).not.toBeNull();
    // The first round's 200 requests and the second's 1000, and at most one more from each other user (16) of a
    // round, whose request was in flight when the count was reached.
    expect(warmed!.requests).toBeGreaterThanOrEqual(1200);
    expect(warmed!.requests).toBeLessThanOrEqual(1200 + 2 * 15);
    expect(warmed!.ms).toBeGreaterThan(0);
    // Nothing of the warm-up reached the target or the run's events and statistics.
    expect(server.counts.get('GET /') ?? 0).toBe(0);
    expect(summary.total.requests).toBe(server.total());
    expect(seen).toBe(summary.total.requests);
    expect(summary.endpoints.map((e) => e.name)).toEqual(['/read']);
    // The clock starts after the warm-up: the run's own second, not the warm-up's time with it.
    expect(summary.durationS).toBeLessThan(1.5);
    expect(summary.startedAt).toBeGreaterThanOrEqual(before + Math.floor(warmed!.ms) - 5);
    expect(firstRequestAt).toBeGreaterThanOrEqual(summary.startedAt);
  });

  it('is bounded in time: a budget it cannot meet ends it with what it got', async () => {
    const server = await startTestServer();
    box.server = server;
    let warmed: { requests: number; ms: number } | null = null;
    await runSwarm({
      classes: [Reader],
      host: server.url,
      users: 1,
      spawnRate: 100,
      runTimeS: 0.2,
      warmUp: { requests: 10_000_000, budgetMs: 300 },
      onWarmUp: (w) => {
        warmed = w;
      },
    });
    expect(warmed!.requests).toBeGreaterThan(200);
    expect(warmed!.requests).toBeLessThan(10_000_200);
    expect(warmed!.ms).toBeLessThan(2000);
  });

  it('ends at once when the run is stopped during it, and the run then starts no user', async () => {
    const server = await startTestServer();
    box.server = server;
    const controller = new AbortController();
    setTimeout(() => controller.abort(stopCause('signal', 'SIGINT')), 50);
    const started = Date.now();
    const summary = await runSwarm({
      classes: [Reader],
      host: server.url,
      users: 5,
      spawnRate: 100,
      runTimeS: 30,
      signal: controller.signal,
      warmUp: { requests: 10_000_000, budgetMs: 20_000 },
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(summary.total.requests).toBe(server.total());
    expect(summary.stop?.reason).toBe('signal');
  });

  it('is on in `swarm run` and says so, and --no-warm-up leaves it out; the target sees the run only', async () => {
    const server = await startTestServer();
    box.server = server;
    const args = [...headlessRun(`${FIXTURES}plain.ts`, server.url, { users: 1 })];
    const on = await runCli([...args, '--json', box.path('on.json')]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stderr).toMatch(
      /swarm: engine warmed up in \d+\.\d\d s \(\d+ requests to a server in this process, none to the host/,
    );
    expect(box.read('on.json').total.requests).toBe(server.total());
    const off = await runCli([...args, '--no-warm-up', '--json', box.path('off.json')]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).not.toMatch(/warmed up/);
    expect(box.read('on.json').total.requests + box.read('off.json').total.requests).toBe(server.total());
  });
});
