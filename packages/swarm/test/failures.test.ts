import { afterEach, describe, expect, it } from 'vitest';
import { HttpUser, LoadShape, runSwarm, StopUser } from '../src/index';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Each user runs its script once and stops, so the counts are known exactly. */
function once(script: (u: HttpUser) => Promise<void>) {
  return class Once extends HttpUser {
    static override tasks = ['run'];
    async run() {
      await script(this);
      throw new StopUser();
    }
  };
}

describe('status handling and failures', () => {
  it('fails 4xx/5xx, follows expect, counts 429 as throttled, honours failure()/success()', async () => {
    server = await startTestServer((_req, res, url) => {
      const code = Number(url.pathname.split('/')[2] ?? 200);
      res.statusCode = code;
      res.setHeader('x-cache', code === 200 ? 'HIT' : 'MISS');
      res.end('{"ok":true}');
    });
    const User = once(async (u) => {
      await u.client.get('/status/200');
      await u.client.get('/status/404');
      await u.client.get('/status/404', { name: 'expected 404', expect: 404 });
      await u.client.get('/status/503');
      await u.client.get('/status/429');
      const bad = await u.client.get('/status/200', { name: 'checked' });
      if (bad.json<{ ok: boolean }>().ok) bad.failure('body said ok, test wanted not ok');
      const rescued = await u.client.get('/status/500', { name: 'rescued' });
      rescued.success();
    });
    const s = await runSwarm({ classes: [User], host: server.url, users: 3, spawnRate: 100, runTimeS: 5 });
    const row = (name: string) => s.endpoints.find((e) => e.name === name)!;
    expect(row('/status/:id').requests).toBe(12);
    expect(row('/status/:id').failures).toBe(6);
    expect(row('/status/:id').throttled).toBe(3);
    expect(row('expected 404').failures).toBe(0);
    expect(row('checked').failures).toBe(3);
    expect(row('rescued').failures).toBe(0);
    expect(s.errors.map((e) => [e.name, e.error, e.occurrences])).toEqual([
      ['/status/:id', 'HTTP 404', 3],
      ['/status/:id', 'HTTP 503', 3],
      ['checked', 'body said ok, test wanted not ok', 3],
    ]);
    expect(s.total.cache.HIT!.requests).toBe(6);
    expect(s.total.cache.MISS!.requests).toBe(15);
  });

  it('reports timeouts and refused connections as failures with their error text', async () => {
    server = await startTestServer((_req, res, url) => {
      if (url.pathname === '/hang') return; // never answers
      res.end('ok');
    });
    const refusedPort = await (async () => {
      const tmp = await startTestServer();
      const port = new URL(tmp.url).port;
      await tmp.close();
      return port;
    })();
    const User = once(async (u) => {
      await u.client.get('/hang', { timeoutMs: 300 });
      await u.client.get(`http://127.0.0.1:${refusedPort}/nothing`, { name: 'refused' });
      await u.client.get('/ok');
    });
    const s = await runSwarm({ classes: [User], host: server.url, users: 2, spawnRate: 100, runTimeS: 5 });
    const errors = Object.fromEntries(s.errors.map((e) => [e.name, [e.error, e.occurrences]]));
    expect(errors['/hang']).toEqual(['UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error', 2]);
    expect(errors.refused).toEqual([`connect ECONNREFUSED 127.0.0.1:${refusedPort}`, 2]);
    expect(s.endpoints.find((e) => e.name === '/ok')!.failures).toBe(0);
    expect(s.endpoints.find((e) => e.name === '/hang')!.minMs).toBeGreaterThanOrEqual(290);
  });

  it('counts task exceptions and keeps the user going; a throwing listener is not fatal', async () => {
    server = await startTestServer();
    let runs = 0;
    class Flaky extends HttpUser {
      static override tasks = ['go'];
      async go() {
        runs += 1;
        await this.client.get('/x');
        if (runs <= 3) throw new RangeError('flaky');
        if (runs >= 6) throw new StopUser();
      }
    }
    const { Events } = await import('../src/index');
    const reported: string[] = [];
    const events = new Events((hook, err) => reported.push(`${hook}: ${(err as Error).message}`));
    events.request.add(() => {
      throw new Error('listener bug');
    });
    const s = await runSwarm({ classes: [Flaky], host: server.url, users: 1, runTimeS: 5, events });
    expect(s.exceptions).toEqual([
      // The first occurrence's stack is kept: Locust's Traceback column.
      {
        task: 'Flaky.go',
        message: 'RangeError: flaky',
        count: 3,
        traceback: expect.stringMatching(/at Flaky\.go /),
      },
    ]);
    expect(s.total.requests).toBe(6);
    expect(server.total()).toBe(6);
    expect(reported).toHaveLength(6);
    expect(reported[0]).toBe('request: listener bug');
  });

  it('a body that is not JSON is a task exception naming the request and status, not the body', async () => {
    let n = 0;
    server = await startTestServer((_req, res) => {
      n += 1;
      res.statusCode = 502;
      res.end(`SECRET-${n} upstream`);
    });
    class Reader extends HttpUser {
      static override tasks = ['read'];
      async read() {
        (await this.client.get('/api/users/1', { name: '/api/users/:id', expect: 502 })).json();
      }
    }
    const s = await runSwarm({
      classes: [Reader],
      host: server.url,
      users: 3,
      spawnRate: 100,
      runTimeS: 0.5,
    });
    // Every answer differs, yet they group into one row, and the body is in none of it.
    expect(s.exceptions.map(({ task, message }) => ({ task, message }))).toEqual([
      { task: 'Reader.read', message: 'SyntaxError: GET /api/users/:id answered 502: the body is not JSON' },
    ]);
  });
});

describe('stopping', () => {
  it('a task cut short by the end of the test sends nothing more and counts nothing it did not finish', async () => {
    server = await startTestServer((_req, res, url) => {
      if (url.pathname === '/slow') setTimeout(() => res.end('late'), 300);
      else res.end('ok');
    });
    class TwoStep extends HttpUser {
      static override tasks = ['go'];
      async go() {
        await this.client.get('/fast');
        await this.client.get('/slow');
        await this.client.get('/after');
      }
    }
    const s = await runSwarm({
      classes: [TwoStep],
      host: server.url,
      users: 3,
      runTimeS: 0.5,
      stopTimeoutS: 0,
    });
    const row = (name: string) => s.endpoints.find((e) => e.name === name)?.requests ?? 0;
    expect(row('/fast')).toBe(server.counts.get('GET /fast'));
    // The /slow requests in flight at the stop were aborted and counted as interrupted, nothing else: the server
    // saw each of them or not, so its count lies between the two.
    const slow = server.counts.get('GET /slow') ?? 0;
    expect(s.interrupted).toBeGreaterThan(0);
    expect(row('/slow')).toBeLessThanOrEqual(slow);
    expect(slow).toBeLessThanOrEqual(row('/slow') + s.interrupted!);
    expect(server.counts.get('GET /after') ?? 0).toBe(row('/after'));
    expect(s.total.failures).toBe(0);
    expect(s.exceptions).toEqual([]);
  });

  it('lets users stopped by a ramp-down finish their request within the stop timeout, and counts it', async () => {
    server = await startTestServer((_req, res) => {
      setTimeout(() => res.end('slow'), 400);
    });
    class Slow extends HttpUser {
      static override tasks = ['go'];
      async go() {
        await this.client.get('/slow');
      }
    }
    // 4 users, then 1 at 0.2 s (mid-request for all of them), then the end.
    class Down extends LoadShape {
      tick(t: number) {
        if (t < 1) return { users: 4, spawnRate: 1000 };
        if (t < 2) return { users: 1, spawnRate: 1000 };
        return null;
      }
    }
    const s = await runSwarm({ classes: [Slow], host: server.url, shape: new Down(), stopTimeoutS: 5 });
    expect(s.interrupted).toBe(0);
    expect(s.total.requests).toBe(server.total());
    expect(s.total.failures).toBe(0);
  });
});
