import { afterEach, describe, expect, it } from 'vitest';
import { constant, HttpUser, runSwarm } from '../src/index';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('latency', () => {
  it('measures at least the delay the server adds', async () => {
    server = await startTestServer((_req, res) => {
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
    expect(s.total.percentiles['99']).toBeGreaterThanOrEqual(s.total.medianMs);
    expect(s.timeSeries.length).toBeGreaterThanOrEqual(2);
    expect(s.timeSeries.reduce((n, p) => n + p.requests, 0)).toBe(s.total.requests);
  });
});
