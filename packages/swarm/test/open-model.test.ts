import { afterEach, describe, expect, it } from 'vitest';
import { HttpUser, rateStages, runSwarm } from '../src/index';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

class Caller extends HttpUser {
  static override tasks = ['call'];
  async call() {
    await this.client.get('/work');
  }
}

/** A server that, after its 100th request, stalls everything for one second (a GC pause, a lock). */
function stallingServer() {
  let received = 0;
  let stallUntil = 0;
  return startTestServer((_req, res) => {
    received += 1;
    if (received === 100) stallUntil = Date.now() + 1000;
    const wait = stallUntil - Date.now();
    if (wait > 0) setTimeout(() => res.end('ok'), wait);
    else res.end('ok');
  });
}

describe('open model', () => {
  it('shows a stall in the corrected latency while the service time does not', async () => {
    server = await stallingServer();
    const s = await runSwarm({
      classes: [Caller],
      host: server.url,
      rate: 200,
      maxUsers: 4,
      runTimeS: 3,
      stopTimeoutS: 5,
    });
    expect(s.total.requests).toBe(server.total());
    expect(s.iterations).toBe(s.total.requests);
    expect(s.dropped).toBe(0);
    // Most of the ~200 arrivals during the stall waited for it: the corrected tail shows it.
    expect(s.total.percentiles['99']).toBeGreaterThanOrEqual(900);
    // Only the ≤ 4 requests in flight at the stall took long to serve: well under 1 % of ~600.
    expect(s.total.service!.percentiles['99']).toBeLessThan(s.total.percentiles['99']! / 2);
    expect(s.total.service!.percentiles['100']).toBeGreaterThanOrEqual(900);
  });

  it('counts arrivals that could not start in time as dropped, never silently', async () => {
    server = await startTestServer((_req, res) => {
      setTimeout(() => res.end('slow'), 100);
    });
    const s = await runSwarm({
      classes: [Caller],
      host: server.url,
      rate: 100,
      maxUsers: 2,
      maxDelayS: 0.05,
      runTimeS: 2,
      stopTimeoutS: 5,
    });
    expect(s.total.requests).toBe(server.total());
    // Two users at 100 ms each serve about 20/s of the 100/s asked for.
    expect(s.dropped).toBeGreaterThan(s.iterations);
    expect(s.iterations).toBe(s.total.requests);
  });

  it('runs onStop of every pooled user that started, and counts requests cut short at the stop', async () => {
    server = await startTestServer((_req, res, url) => {
      if (url.pathname === '/slow') setTimeout(() => res.end('late'), 2000);
      else res.end('ok');
    });
    const log: string[] = [];
    class Tracked extends HttpUser {
      static override tasks = ['call'];
      private n = 0;
      override onStart() {
        log.push('start');
      }
      async call() {
        // Each user's third iteration hangs past the stop timeout.
        this.n += 1;
        await this.client.get(this.n === 3 ? '/slow' : '/work');
      }
      override async onStop() {
        log.push('stop');
      }
    }
    const s = await runSwarm({
      classes: [Tracked],
      host: server.url,
      rate: 20,
      maxUsers: 3,
      runTimeS: 1,
      stopTimeoutS: 0.2,
    });
    const starts = log.filter((l) => l === 'start').length;
    expect(starts).toBeGreaterThan(0);
    expect(log.filter((l) => l === 'stop').length).toBe(starts);
    expect(s.interrupted).toBeGreaterThan(0);
    expect(server.counts.get('GET /work')).toBe(s.total.requests);
    expect(s.exceptions).toEqual([]);
  });

  it('follows a rate shape and ends with it', async () => {
    server = await startTestServer();
    const s = await runSwarm({
      classes: [Caller],
      host: server.url,
      shape: rateStages(
        [
          { duration: '1s', target: 50 },
          { duration: '1s', target: 50 },
        ],
        50,
      ),
      maxUsers: 10,
      runTimeS: 30,
      stopTimeoutS: 5,
    });
    expect(s.durationS).toBeLessThan(30);
    expect(s.iterations).toBe(s.total.requests);
    expect(s.total.requests).toBe(server.total());
    // About 50/s for 2 s; the shape is checked once a second, so allow one tick either way.
    expect(s.total.requests).toBeGreaterThanOrEqual(50);
    expect(s.total.requests).toBeLessThanOrEqual(200);
  });
});
