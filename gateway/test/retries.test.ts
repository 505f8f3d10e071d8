import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, stopDaemon } from '../../scripts/lib/daemon';
import { waitFor } from '../../scripts/lib/ports';
import { waitForLogLines } from './support/access-log';
import { type Client, errorCode, keepAliveClient, type Reply } from './support/client';
import { downTestStack, type TestStack, upTestStack } from './support/stack';

// What the gateway passes on to another replica, and what it must not (gateway.d/failover.conf), on a native
// stack of the project's own runner. A read timeout of 2 s instead of 10: a frozen replica then costs a request
// 2 s, and the suite stays short.
const READ_TIMEOUT_S = 2;
let stack: TestStack;
let client: Client;

beforeAll(async () => {
  stack = await upTestStack(3, { GATEWAY_READ_TIMEOUT_S: String(READ_TIMEOUT_S) });
  client = keepAliveClient(`http://127.0.0.1:${stack.gatewayPort}`, 4);
});

afterAll(async () => {
  client?.close();
  await downTestStack(stack);
});

/** Replica N's address (1-based), as nginx writes it in X-Upstream and the access log. */
const address = (n: number) => `127.0.0.1:${stack.replicaPorts[n - 1]}`;
/** Every replica the gateway tried for a request, in order (X-Upstream: shown to loopback clients). */
const tried = (reply: Reply) =>
  String(reply.headers['x-upstream'] ?? '')
    .split(', ')
    .filter(Boolean);
const userBody = (name: string) => JSON.stringify({ email: `retries-${randomUUID()}@example.com`, name });

/** Until replica `name` answers through the shared upstream again (after the passive health check left it out). */
async function servingAgain(name: string) {
  await waitFor(
    `${name} to serve through the shared upstream again`,
    async () => (await client.get('/api/users?limit=1')).headers['x-instance'] === name,
    20_000,
  );
}

describe('failover at the gateway', () => {
  it('never resends a PUT that a frozen replica may still run: 504 after the read timeout, one replica tried; GETs still move on', async () => {
    const created = await client.post('/api/users', userBody('before the freeze'));
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body) as { id: number };
    const app2 = stack.pid('app2');
    process.kill(app2.pid, 'SIGSTOP');
    try {
      // Round robin over three replicas: within three PUTs one lands on app2. The kernel still accepts the
      // connection and the request for the stopped process, so the gateway can only wait.
      let frozen: { reply: Reply; requestId: string; ms: number } | undefined;
      for (let i = 0; i < 6 && frozen === undefined; i++) {
        const requestId = `frozen-put-${i}-${randomUUID()}`;
        const started = Date.now();
        const reply = await client.put(`/api/users/${id}`, userBody(`put ${i}`), {
          'If-Match': '*',
          'X-Request-ID': requestId,
        });
        if (tried(reply).includes(address(2))) frozen = { reply, requestId, ms: Date.now() - started };
        else expect([reply.status, tried(reply)]).toEqual([200, [expect.any(String)]]);
      }
      expect(frozen, 'a PUT landed on the frozen app2').toBeDefined();
      const { reply, requestId, ms } = frozen!;
      expect({ status: reply.status, tried: tried(reply) }).toEqual({ status: 504, tried: [address(2)] });
      expect([reply.headers['content-type'], errorCode(reply)]).toEqual([
        'application/json',
        'GATEWAY_TIMEOUT',
      ]);
      expect(ms).toBeGreaterThanOrEqual(READ_TIMEOUT_S * 1000 - 50);
      expect(reply.body).not.toContain('127.0.0.1');
      const line = (await waitForLogLines(stack.dir, [requestId])).get(requestId);
      expect(line).toMatchObject({ method: 'PUT', status: 504, upstream_addr: address(2) });

      // A GET that lands on app2 times out there too, and is answered by the next replica.
      let movedOn: Reply | undefined;
      for (let i = 0; i < 6 && movedOn === undefined; i++) {
        const read = await client.get(`/api/users/${id}`);
        expect(read.status).toBe(200);
        if (tried(read)[0] === address(2)) movedOn = read;
      }
      expect(movedOn, 'a GET landed on the frozen app2').toBeDefined();
      expect(tried(movedOn!)).toHaveLength(2);
      expect(movedOn!.headers['x-instance']).not.toBe('app2');

      // The client, told 504, writes again; app2 is out of the rotation (two timeouts), so another replica runs it.
      const later = await client.put(`/api/users/${id}`, userBody('Y, written after the 504'), {
        'If-Match': '*',
      });
      expect(later.status).toBe(200);
    } finally {
      process.kill(app2.pid, 'SIGCONT');
    }
    // Woken up, app2 finds the stale PUT past its deadline (REQUEST_DEADLINE_MS = the read timeout) and drops it.
    await waitFor('app2 to answer the stale PUT', async () => {
      const metrics = await client.get('/app2/metrics');
      return /http_requests_total\{[^}]*method="PUT"[^}]*status="503"[^}]*\} 1/.test(metrics.body);
    });
    const final = await client.get(`/api/users/${JSON.parse(created.body).id}`);
    expect(JSON.parse(final.body).name).toBe('Y, written after the 504');
    // Two timeouts within fail_timeout left app2 out for 5 s; the next tests want all three.
    await servingAgain('app2');
  });

  it('passes a write on when its replica refused the connection (nothing was sent), and answers /appN/ of a dead replica 502 without its address', async () => {
    const created = await client.post('/api/users', userBody('before the kill'));
    const { id } = JSON.parse(created.body) as { id: number };
    const app3 = stack.pid('app3');
    process.kill(app3.pid, 'SIGKILL');
    await waitFor('app3 to be gone', () => !isRunning(app3));
    try {
      const replies: Reply[] = [];
      for (let i = 0; i < 3; i++) {
        replies.push(await client.put(`/api/users/${id}`, userBody(`put ${i}`), { 'If-Match': '*' }));
      }
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
      const movedOn = replies.filter((r) => tried(r)[0] === address(3));
      expect(movedOn).toHaveLength(1);
      expect(tried(movedOn[0]!)).toHaveLength(2);

      const dead = await client.get('/app3/health');
      expect([dead.status, dead.headers['content-type'], errorCode(dead)]).toEqual([
        502,
        'application/json',
        'BAD_GATEWAY',
      ]);
      expect(dead.body).not.toMatch(/127\.0\.0\.1|:\d{4,5}/);
    } finally {
      await stack.cli('up');
    }
    await servingAgain('app3');
  });

  it('passes no 503 on: with Postgres down each replica answers 503, each GET reaches one replica, and none is left out', async () => {
    // SIGINT: Postgres's fast shutdown, as `make down` stops it.
    await stopDaemon(join(stack.dir, 'pids', 'postgres.pid'), 'SIGINT');
    try {
      const ids = Array.from({ length: 9 }, (_, i) => `db-down-${i}-${randomUUID()}`);
      const replies: Reply[] = [];
      for (const id of ids) replies.push(await client.get('/api/users?limit=1', { 'X-Request-ID': id }));
      for (const reply of replies) {
        expect([reply.status, errorCode(reply), tried(reply)]).toEqual([
          503,
          expect.stringMatching(/^DB_/),
          [expect.any(String)],
        ]);
      }
      // Nine 503s within fail_timeout would have left every replica out (max_fails=2), had they counted as
      // failures: all three still take their turn.
      expect(new Set(replies.map((r) => r.headers['x-instance']))).toEqual(new Set(['app1', 'app2', 'app3']));
      const lines = await waitForLogLines(stack.dir, ids);
      for (const line of lines.values()) {
        expect([line.status, line.upstream_status, line.upstream_addr.split(', ').length]).toEqual([
          503,
          '503',
          1,
        ]);
      }
    } finally {
      await stack.cli('up');
    }
  });
});
