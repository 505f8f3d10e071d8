import { afterEach, describe, expect, it } from 'vitest';
import { HttpUser, runSwarm, StopUser } from '../src/index';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Users that send `requests` requests to `path` with `timeoutMs`, then stop: the counts are known exactly. */
function caller(path: string, requests: number, timeoutMs: number) {
  return class Caller extends HttpUser {
    static override tasks = ['call'];
    async call() {
      for (let i = 0; i < requests; i++) await this.client.get(path, { timeoutMs });
      throw new StopUser();
    }
  };
}

// The bound is generous for a loaded 2-core machine; undici's own timeouts, on a 499 ms tick, fired 0-500 ms late.
const SLACK_MS = 150;

describe('request timeouts', () => {
  it('fail a request that gets no answer within 150 ms after timeoutMs', async () => {
    server = await startTestServer(() => {}); // counts each request and never answers
    const s = await runSwarm({
      classes: [caller('/hang', 2, 1000)],
      host: server.url,
      users: 3,
      spawnRate: 100,
      runTimeS: 30,
    });
    expect(s.total.requests).toBe(6);
    expect(server.total()).toBe(6);
    expect(s.total.failures).toBe(6);
    expect(s.errors.map((e) => [e.error, e.occurrences])).toEqual([
      ['UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error', 6],
    ]);
    expect(s.total.minMs).toBeGreaterThanOrEqual(1000);
    expect(s.total.maxMs).toBeLessThanOrEqual(1000 + SLACK_MS);
  });

  it('let a body flow as long as no gap in it lasts timeoutMs', async () => {
    // Headers and a first chunk at once, a second chunk after 400 ms, then nothing.
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
      setTimeout(() => res.write('second'), 400);
    });
    const s = await runSwarm({
      classes: [caller('/trickle', 1, 500)],
      host: server.url,
      users: 2,
      spawnRate: 100,
      runTimeS: 30,
    });
    expect(s.total.requests).toBe(2);
    expect(server.total()).toBe(2);
    expect(s.errors.map((e) => [e.error, e.occurrences])).toEqual([
      ['UND_ERR_BODY_TIMEOUT: Body Timeout Error', 2],
    ]);
    // Failed 500 ms after the second chunk, not 500 ms after the start.
    expect(s.total.minMs).toBeGreaterThanOrEqual(900);
    expect(s.total.maxMs).toBeLessThanOrEqual(900 + 2 * SLACK_MS);
  });
});
