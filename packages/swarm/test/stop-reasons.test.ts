import { afterEach, describe, expect, it } from 'vitest';
import { HttpUser, LoadShape, runSwarm, StopUser, stopCause } from '../src/index';
import { startTestServer, type TestServer, waitFor } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

class Reader extends HttpUser {
  static override tasks = ['read'];
  async read() {
    await this.client.get('/');
  }
}

describe('summary.stop says why a run ended', () => {
  it('its run time', async () => {
    server = await startTestServer();
    const s = await runSwarm({
      classes: [Reader],
      host: server.url,
      users: 1,
      runTimeS: 0.5,
      stopTimeoutS: 5,
    });
    expect(s.stop).toEqual({ reason: 'run_time', detail: 'run time 0.5s reached' });
    expect(s.total.requests).toBe(server.total());
  });

  it('its load shape', async () => {
    server = await startTestServer();
    class Once extends LoadShape {
      tick(t: number) {
        return t < 1 ? { users: 1, spawnRate: 1 } : null;
      }
    }
    const s = await runSwarm({ classes: [Reader], host: server.url, shape: new Once(), stopTimeoutS: 5 });
    expect(s.stop).toEqual({ reason: 'shape_end', detail: 'the load shape ended' });
  });

  it('its load shape, also when the shape goes down to 0 users and up again (no user stopped itself)', async () => {
    const times: number[] = [];
    server = await startTestServer((_req, res) => {
      times.push(Date.now());
      res.end('ok');
    });
    class Pause extends LoadShape {
      tick(t: number) {
        // Asked once a second: 2 users, then none, then 2 again, then the end.
        if (t < 1) return { users: 2, spawnRate: 100 };
        if (t < 2) return { users: 0, spawnRate: 100 };
        return t < 3 ? { users: 2, spawnRate: 100 } : null;
      }
    }
    const s = await runSwarm({ classes: [Reader], host: server.url, shape: new Pause(), stopTimeoutS: 5 });
    expect(s.stop).toEqual({ reason: 'shape_end', detail: 'the load shape ended' });
    // Requests after the pause too: the run did not end when its users were stopped for it.
    expect(s.durationS).toBeGreaterThan(2.9);
    expect(times.filter((t) => t >= s.startedAt + 2000).length).toBeGreaterThan(0);
  });

  it('every user stopping itself', async () => {
    server = await startTestServer();
    class OneShot extends HttpUser {
      static override tasks = ['once'];
      async once() {
        await this.client.get('/');
        throw new StopUser();
      }
    }
    const s = await runSwarm({
      classes: [OneShot],
      host: server.url,
      users: 3,
      spawnRate: 100,
      runTimeS: 30,
    });
    expect(s.stop).toEqual({ reason: 'users_stopped', detail: 'every user stopped itself' });
    expect(s.total.requests).toBe(3);
  });

  it('a user quitting the run', async () => {
    server = await startTestServer();
    class Quitter extends HttpUser {
      static override tasks = ['quit'];
      async quit() {
        await this.client.get('/');
        this.environment.runner!.quit('the data check failed');
      }
    }
    const s = await runSwarm({
      classes: [Quitter],
      host: server.url,
      users: 1,
      runTimeS: 30,
      stopTimeoutS: 5,
    });
    expect(s.stop).toEqual({ reason: 'quit', detail: 'the data check failed' });
  });

  it('a signal, when its caller aborts with that cause, and its caller otherwise', async () => {
    server = await startTestServer();
    const signalled = new AbortController();
    const run = runSwarm({
      classes: [Reader],
      host: server.url,
      users: 2,
      signal: signalled.signal,
      stopTimeoutS: 5,
    });
    await waitFor(() => server!.total() > 10, 'a few requests');
    signalled.abort(stopCause('signal', 'SIGTERM'));
    expect((await run).stop).toEqual({ reason: 'signal', detail: 'SIGTERM' });
    const plain = new AbortController();
    plain.abort();
    const s = await runSwarm({ classes: [Reader], host: server.url, users: 1, signal: plain.signal });
    expect(s.stop).toEqual({ reason: 'stopped', detail: 'stopped by its caller' });
  });
});
