import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, readPidFile } from '../../scripts/lib/daemon';
import { waitFor } from '../../scripts/lib/ports';
import { type Client, errorCode, keepAliveClient } from './support/client';
import { downTestStack, type TestStack, upTestStack } from './support/stack';

// The native stack, brought up by the project's own runner (scripts/stack/cli.ts), on free ports of its own.
let stack: TestStack;
let client: Client;

beforeAll(async () => {
  stack = await upTestStack(3);
  client = keepAliveClient(`http://127.0.0.1:${stack.gatewayPort}`, 8);
});

afterAll(async () => {
  client?.close();
  await downTestStack(stack);
});

describe('the gateway', () => {
  it('answers /gateway-health itself, with JSON', async () => {
    const reply = await client.get('/gateway-health');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok', service: 'gateway' });
    expect(reply.headers['x-upstream']).toBeUndefined();
  });

  it('routes /appN/health, /appN/ready and /appN/metrics to replica N only', async () => {
    for (const [i, port] of stack.replicaPorts.entries()) {
      const name = `app${i + 1}`;
      for (let round = 0; round < 3; round++) {
        const health = await client.get(`/${name}/health`);
        expect(health.status).toBe(200);
        expect(health.headers['x-instance']).toBe(name);
        expect(health.headers['x-upstream']).toBe(`127.0.0.1:${port}`);
      }
      const ready = await client.get(`/${name}/ready`);
      expect([ready.status, ready.headers['x-instance']]).toEqual([200, name]);
      const metrics = await client.get(`/${name}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('# TYPE');
    }
    const unknown = await client.get('/app9/health');
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'UNKNOWN_REPLICA']);
  });

  it('answers its own errors as JSON in the API shape', async () => {
    const notFound = await client.get('/no/such/route');
    expect([notFound.status, notFound.headers['content-type'], errorCode(notFound)]).toEqual([
      404,
      'application/json',
      'ROUTE_NOT_FOUND',
    ]);
    const tooLarge = await client.post('/api/users', 'x'.repeat(1024 * 1024 + 1));
    expect([tooLarge.status, errorCode(tooLarge)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(tooLarge.headers['x-upstream']).toBeUndefined();
  });

  it('passes a client X-Request-ID on, creates one otherwise, and logs each request as JSON', async () => {
    const id = `test-${randomUUID()}`;
    const passed = await client.get('/health', { 'X-Request-ID': id });
    expect(passed.headers['x-request-id']).toBe(id);
    const created = await client.get('/health');
    expect(created.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const unsafe = await client.get('/health', { 'X-Request-ID': 'a"b{c' });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);

    const log = join(stack.dir, 'logs', 'gateway-access.log');
    let line: Record<string, unknown> | undefined;
    // The access log is buffered and flushed at least once a second.
    await waitFor('the request in the access log', () => {
      const found = readFileSync(log, 'utf8')
        .split('\n')
        .find((l) => l.includes(id));
      line = found ? (JSON.parse(found) as Record<string, unknown>) : undefined;
      return line !== undefined;
    });
    expect(line).toMatchObject({ request_id: id, method: 'GET', uri: '/health', status: 200 });
    expect(line?.upstream_addr).toBe(passed.headers['x-upstream']);
    expect(typeof line?.request_time).toBe('number');
    expect(Number(line?.upstream_response_time)).toBeGreaterThanOrEqual(0);
  });

  it('spreads 300 GETs within ±5% of a third on each of the 3 replicas', async () => {
    const served = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next++ < 300) {
        const reply = await client.get('/api/users?limit=1');
        expect(reply.status).toBe(200);
        const instance = String(reply.headers['x-instance']);
        served.set(instance, (served.get(instance) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    console.log('distribution of 300 GETs:', Object.fromEntries([...served].sort()));
    expect([...served.keys()].sort()).toEqual(['app1', 'app2', 'app3']);
    for (const count of served.values()) {
      expect(count).toBeGreaterThanOrEqual(95);
      expect(count).toBeLessThanOrEqual(105);
    }
  });

  it('survives a replica killed with SIGKILL mid-stream, answers its /appN/ with a JSON 502, and takes it back', async () => {
    const record = readPidFile(join(stack.dir, 'pids', 'app2.pid'));
    expect(record && isRunning(record)).toBe(true);

    interface Outcome {
      afterKill: boolean;
      status?: number;
      upstream?: string;
      error?: string;
    }
    const outcomes: Outcome[] = [];
    let killedAt = 0;
    let stop = false;
    const stream = async () => {
      while (!stop) {
        const afterKill = killedAt > 0;
        try {
          const reply = await client.get('/api/users?limit=5');
          outcomes.push({ afterKill, status: reply.status, upstream: String(reply.headers['x-upstream']) });
        } catch (err) {
          outcomes.push({ afterKill, error: (err as Error).message });
        }
      }
    };
    const streams = Array.from({ length: 4 }, stream);
    try {
      await waitFor('steady traffic', () => outcomes.length >= 200);
      process.kill(record!.pid, 'SIGKILL');
      killedAt = Date.now();
      await waitFor('app2 to be gone', () => !isRunning(record!));
      // Keep the stream going past the passive health check's fail_timeout (5 s), so the gateway also probes the
      // dead replica again with live traffic at least once.
      await waitFor(
        'traffic past fail_timeout after the kill',
        () => Date.now() - killedAt > 6000 && outcomes.filter((o) => o.afterKill).length >= 300,
        30_000,
      );
    } finally {
      stop = true;
      await Promise.all(streams);
    }

    const after = outcomes.filter((o) => o.afterKill);
    const failed = outcomes.filter((o) => o.error !== undefined || o.status !== 200);
    const retried = after.filter((o) => o.upstream?.includes(','));
    console.log(
      `kill test: ${outcomes.length} GETs, ${after.length} after the kill, ${failed.length} failed, ` +
        `${retried.length} retried on another replica`,
    );
    expect(failed).toEqual([]);
    expect(after.length).toBeGreaterThanOrEqual(300);
    // The kill really hit traffic: the gateway had to move some GETs from app2 to another replica.
    expect(retried.length).toBeGreaterThan(0);

    const dead = await client.get('/app2/health');
    expect([dead.status, dead.headers['content-type'], errorCode(dead)]).toEqual([
      502,
      'application/json',
      'BAD_GATEWAY',
    ]);
    // The access log names the replica; the body does not.
    expect(dead.body).not.toContain('127.0.0.1');

    // `up` starts only what is missing: app2 again, nothing else.
    const { stdout } = await stack.cli('up');
    expect(stdout).toMatch(/app2\s+started/);
    expect(stdout).toMatch(/app1\s+already running/);
    expect(stdout).toMatch(/gateway\s+already running/);
    await waitFor(
      'app2 to serve through the shared upstream again',
      async () => (await client.get('/api/users?limit=1')).headers['x-instance'] === 'app2',
      20_000,
    );
  });
});
