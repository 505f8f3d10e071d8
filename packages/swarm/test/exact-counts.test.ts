import { afterEach, describe, expect, it } from 'vitest';
import { HttpUser, runSwarm } from '../src/index';
import { startTestServer, type TestServer } from './support/test-server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

class Shopper extends HttpUser {
  static override tasks = { browse: 3, item: 2, buy: 1 };
  async browse() {
    await this.client.get('/items', { query: { page: 1 + Math.floor(Math.random() * 5) } });
  }
  async item() {
    await this.client.get(`/items/${1 + Math.floor(Math.random() * 1000)}`);
  }
  async buy() {
    await this.client.post('/orders', { json: { item: 1 }, name: 'place order' });
  }
}

describe('exact counts against a counting server', () => {
  it('counts every request the server received, per endpoint, nothing lost or doubled', async () => {
    server = await startTestServer((req, res, url) => {
      res.setHeader('x-instance', url.pathname.length % 2 === 0 ? 'api-1' : 'api-2');
      res.end(req.method === 'POST' ? '{"id":1}' : 'x'.repeat(10));
    });
    const summary = await runSwarm({
      classes: [Shopper],
      host: server.url,
      users: 10,
      spawnRate: 100,
      runTimeS: 2,
      stopTimeoutS: 10,
    });
    const rows = Object.fromEntries(summary.endpoints.map((e) => [`${e.method} ${e.name}`, e.requests]));
    const itemRequests = [...server.counts]
      .filter(([k]) => /^GET \/items\/\d+$/.test(k))
      .reduce((s, [, n]) => s + n, 0);
    expect(rows).toEqual({
      'GET /items': server.counts.get('GET /items'),
      'GET /items/:id': itemRequests,
      'POST place order': server.counts.get('POST /orders'),
    });
    expect(summary.total.requests).toBe(server.total());
    expect(summary.total.failures).toBe(0);
    expect(summary.total.requests).toBeGreaterThan(100);
    expect(summary.total.instances['api-1']! + summary.total.instances['api-2']!).toBe(
      summary.total.requests,
    );
    const postRow = summary.endpoints.find((e) => e.name === 'place order')!;
    expect(postRow.bytes).toBe(postRow.requests * 8);
  });
});

describe('several origins from one user', () => {
  it('keeps one connection per origin and counts the requests to each', async () => {
    server = await startTestServer();
    const other = await startTestServer();
    try {
      class TwoSites extends HttpUser {
        static override tasks = ['both'];
        async both() {
          await this.client.get('/home');
          await this.client.get(`${other.url}/api`);
          await this.client.get('/home');
        }
      }
      const s = await runSwarm({
        classes: [TwoSites],
        host: server.url,
        users: 3,
        spawnRate: 100,
        runTimeS: 1,
        stopTimeoutS: 5,
      });
      const row = (name: string) => s.endpoints.find((e) => e.name === name)?.requests;
      expect(row('/home')).toBe(server.counts.get('GET /home'));
      expect(row(`${other.url}/api`) ?? row('/api')).toBe(other.counts.get('GET /api'));
      expect(other.total()).toBeGreaterThan(0);
      expect(s.total.failures).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('requests sent together by one user', () => {
  it('reports each of them once, with the verdict its task gave it', async () => {
    server = await startTestServer((_req, res, url) => {
      // The second request of each pair answers first, so their responses arrive in the other order.
      setTimeout(() => res.end('ok'), url.pathname === '/a' ? 20 : 1);
    });
    class Pairs extends HttpUser {
      static override tasks = ['pair'];
      async pair() {
        const [a, b, c] = await Promise.all([
          this.client.get('/a'),
          this.client.get('/b'),
          this.client.get('/c'),
        ]);
        a.failure('judged by the task');
        b.success();
        void c; // left to the end of the task
      }
    }
    const s = await runSwarm({
      classes: [Pairs],
      host: server.url,
      users: 2,
      spawnRate: 100,
      runTimeS: 1,
      stopTimeoutS: 5,
    });
    const row = (name: string) => s.endpoints.find((e) => e.name === name)!;
    for (const name of ['/a', '/b', '/c']) expect(row(name).requests).toBe(server.counts.get(`GET ${name}`));
    expect(row('/a').failures).toBe(row('/a').requests);
    expect(row('/b').failures + row('/c').failures).toBe(0);
    expect(s.total.requests).toBe(server.total());
    expect(s.total.requests).toBeGreaterThan(6);
  });

  it('counts every one of them interrupted when the test is stopped while they are in flight', async () => {
    server = await startTestServer(() => {}); // never answers
    class Stuck extends HttpUser {
      static override tasks = ['three'];
      async three() {
        await Promise.all([this.client.get('/x'), this.client.get('/y'), this.client.get('/z')]);
      }
    }
    const s = await runSwarm({
      classes: [Stuck],
      host: server.url,
      users: 2,
      spawnRate: 100,
      runTimeS: 1,
      stopTimeoutS: 0,
    });
    // One connection per user, no pipelining: each user's first request reached the server, the other two waited
    // in its queue; all three were sent by the task and none answered.
    expect(s.total.requests).toBe(0);
    expect(s.interrupted).toBe(6);
  });
});

describe('a user that waits between tasks', () => {
  it('keeps its connection across a 5 s wait when the server gives no Keep-Alive hint (as nginx)', async () => {
    server = await startTestServer(undefined, { keepAliveHint: false });
    class Patient extends HttpUser {
      static override tasks = ['read'];
      override waitTime = () => 5;
      async read() {
        await this.client.get('/home');
      }
    }
    const s = await runSwarm({ classes: [Patient], host: server.url, users: 1, spawnRate: 1, runTimeS: 6 });
    expect(s.total.requests).toBe(2);
    expect(s.total.failures).toBe(0);
    expect(server.connections()).toBe(1);
  }, 20_000);
});
