import { afterEach, describe, expect, it } from 'vitest';
import { constant, HttpUser, runSwarm } from '../src/index';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('latency', () => {
  it('measures at least the delay the server adds, and adds little of its own', async () => {
    // The server's own view of each request: from its arrival to the last byte written.
    const served: number[] = [];
    server = await startTestServer((_req, res) => {
      const t0 = performance.now();
      res.on('finish', () => served.push(performance.now() - t0));
      setTimeout(() => res.end('late'), 50);
    });
    class Patient extends HttpUser {
      static override tasks = ['call'];
      override waitTime = constant(0);
      async call() {
        await this.client.get('/slow');
      }
    }
    const s = await runSwarm({
      classes: [Patient],
      host: server.url,
      users: 5,
      runTimeS: 1.5,
      stopTimeoutS: 5,
    });
    expect(s.total.requests).toBe(server.total());
    expect(s.total.minMs).toBeGreaterThanOrEqual(49);
    expect(s.total.medianMs).toBeGreaterThanOrEqual(50);
    // "Well under 80 ms" as the issue puts it, stated against the server's own median so that a late timer on a
    // busy machine (server and engine share this process) moves both: the engine adds under 30 ms to it.
    const serverMedian = [...served].sort((a, b) => a - b)[Math.floor(served.length / 2)]!;
    expect(serverMedian).toBeGreaterThanOrEqual(49);
    expect(s.total.medianMs - serverMedian).toBeLessThan(30);
    expect(s.total.percentiles['99']).toBeGreaterThanOrEqual(s.total.medianMs);
    expect(s.timeSeries.length).toBeGreaterThanOrEqual(2);
    expect(s.timeSeries.reduce((n, p) => n + p.requests, 0)).toBe(s.total.requests);
  });
});
