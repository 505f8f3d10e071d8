import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForLogLines } from './support/access-log';
import { type Client, errorCode, keepAliveClient } from './support/client';
import { downTestStack, type TestStack, upTestStack } from './support/stack';

// Who may inspect the replicas (gateway.d/inspect.conf). This stack lets only 127.0.0.1 in; a client bound to
// 127.0.0.2 is another machine as far as the gateway can tell.
let stack: TestStack;
let operator: Client;
let outsider: Client;

beforeAll(async () => {
  stack = await upTestStack(3, { GATEWAY_INSPECT_ALLOW: '127.0.0.1/32' });
  const base = `http://127.0.0.1:${stack.gatewayPort}`;
  operator = keepAliveClient(base, { connections: 2, localAddress: '127.0.0.1' });
  outsider = keepAliveClient(base, { connections: 2, localAddress: '127.0.0.2' });
});

afterAll(async () => {
  operator?.close();
  outsider?.close();
  await downTestStack(stack);
});

const probes = ['/app1/health', '/app2/ready', '/app3/metrics', '/app9/health'];

describe('replica inspection at the gateway', () => {
  it('lets a client in GATEWAY_INSPECT_ALLOW reach each replica and see X-Upstream', async () => {
    const metrics = await operator.get('/app3/metrics');
    expect([metrics.status, metrics.headers['x-upstream']]).toEqual([
      200,
      `127.0.0.1:${stack.replicaPorts[2]}`,
    ]);
    expect(metrics.body).toContain('# TYPE');
    expect((await operator.get('/app1/health')).headers['x-instance']).toBe('app1');
    const read = await operator.get('/api/users?limit=1');
    expect(read.headers['x-upstream']).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('answers anyone else 403 on /appN/ (known replica or not) and shows no replica address', async () => {
    for (const path of probes) {
      // No header makes a client an inspector: the gateway goes by the connection's address.
      for (const headers of [{}, { 'X-Forwarded-For': '127.0.0.1' }] as Record<string, string>[]) {
        const reply = await outsider.get(path, headers);
        expect({
          path,
          status: reply.status,
          type: reply.headers['content-type'],
          code: errorCode(reply),
        }).toEqual({
          path,
          status: 403,
          type: 'application/json',
          code: 'FORBIDDEN',
        });
        expect(reply.headers['x-upstream']).toBeUndefined();
      }
    }
    const head = await outsider.send('HEAD', '/app1/metrics');
    expect(head.status).toBe(403);
  });

  it('still serves anyone else the API, attributed by X-Instance, without X-Upstream; the access log keeps the address', async () => {
    const id = `outsider-${Date.now()}`;
    const read = await outsider.get('/api/users?limit=1', { 'X-Request-ID': id });
    expect(read.status).toBe(200);
    expect(read.headers['x-instance']).toMatch(/^app[123]$/);
    expect(read.headers['x-upstream']).toBeUndefined();
    expect((await outsider.get('/gateway-health')).status).toBe(200);
    const line = (await waitForLogLines(stack.dir, [id])).get(id);
    expect(line).toMatchObject({
      remote_addr: '127.0.0.2',
      upstream_addr: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
  });
});
