import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/lib/ports';
import { type Service, startService } from '../../scripts/lib/process';
import { gatewayVars } from '../../scripts/stack/gateway-config';
import { probe } from '../../scripts/stack/http-probe';
import { renderGatewayConfig } from '../../scripts/stack/native/gateway-files';
import { findBinary } from '../../scripts/stack/preflight';
import { type Client, keepAliveClient } from './support/client';

// The real gateway config in front of two stand-in replicas: `crasher` drops the connection as soon as a request
// has reached it (a replica dying mid-request), `healthy` answers. Each remembers the request ids it received,
// and the X-Request-Start stamp of each.
const received = { crasher: [] as string[], healthy: [] as string[] };
const stamps = new Map<string, string[]>();
const stamp = (req: IncomingMessage) => {
  const id = `${req.method} ${req.headers['x-request-id']}`;
  stamps.set(id, [...(stamps.get(id) ?? []), String(req.headers['x-request-start'])]);
  return id;
};
let crasher: Server;
let healthy: Server;
let nginx: Service;
let dir: string;
let client: Client;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

beforeAll(async () => {
  crasher = createServer((req) => {
    received.crasher.push(stamp(req));
    req.socket.destroy();
  });
  healthy = createServer((req, res) => {
    received.healthy.push(stamp(req));
    res.writeHead(200, { 'content-type': 'application/json', 'x-instance': 'healthy' }).end('{"ok":true}');
  });
  const [crasherPort, healthyPort, gatewayPort, statusPort] = [
    await listen(crasher),
    await listen(healthy),
    await freePort(),
    await freePort(),
  ];
  dir = mkdtempSync(join(tmpdir(), 'swarmgate-failover-'));
  const conf = join(dir, 'conf');
  renderGatewayConfig(
    conf,
    gatewayVars({
      listen: `127.0.0.1:${gatewayPort}`,
      runDir: dir,
      accessLog: join(dir, 'access.log'),
      errorLog: join(dir, 'error.log'),
      balance: 'round_robin',
      replicas: [
        { name: 'app1', host: '127.0.0.1', port: crasherPort },
        { name: 'app2', host: '127.0.0.1', port: healthyPort },
      ],
      readTimeoutS: 10,
      inspectAllow: ['127.0.0.1'],
      statusListen: `127.0.0.1:${statusPort}`,
    }),
  );
  const args = [
    '-p',
    `${dir}/`,
    '-c',
    join(conf, 'nginx.conf'),
    '-e',
    join(dir, 'error.log'),
    '-g',
    'daemon off;',
  ];
  nginx = startService('nginx', findBinary('nginx') ?? '/usr/sbin/nginx', args, {
    aptPackage: 'nginx-light',
  });
  const base = `http://127.0.0.1:${gatewayPort}`;
  await waitFor('the gateway', async () => (await probe(`${base}/gateway-health`)).status === 200);
  client = keepAliveClient(base, 2);
});

afterAll(async () => {
  client?.close();
  await nginx?.stop();
  crasher?.close();
  healthy?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('failover', () => {
  it('never sends a POST that reached one replica to another: the client gets a JSON 502', async () => {
    const replies = [];
    // Round robin over two replicas: within two POSTs one lands on the crasher.
    for (let i = 0; i < 2; i++) {
      const reply = await client.post('/api/users', '{}', { 'X-Request-ID': `post-${i}` });
      replies.push({ id: `POST post-${i}`, status: reply.status, body: reply.body });
    }
    const crashed = replies.filter((r) => received.crasher.includes(r.id));
    expect(crashed.length).toBe(1);
    for (const r of crashed) {
      expect(r.status).toBe(502);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'BAD_GATEWAY' } });
      expect(received.healthy).not.toContain(r.id);
    }
  });

  it('retries a GET that failed on one replica on the next one, so the client never sees the failure', async () => {
    const replies = [];
    for (let i = 0; i < 4; i++) {
      const reply = await client.get('/api/users/1', { 'X-Request-ID': `get-${i}` });
      replies.push({
        id: `GET get-${i}`,
        status: reply.status,
        upstream: String(reply.headers['x-upstream']),
      });
    }
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const retried = replies.filter((r) => received.crasher.includes(r.id));
    expect(retried.length).toBeGreaterThan(0);
    for (const r of retried) {
      expect(received.healthy).toContain(r.id);
      expect(r.upstream.split(', ')).toHaveLength(2);
    }
  });

  it('resends a PUT whose connection the replica broke after it was sent: the case failover.conf accepts', async () => {
    // A replica that broke the connection is gone and cannot run the PUT late; a frozen one is another matter
    // (retries.test.ts: a timed-out PUT is never resent). The earlier tests' crashes may have left the crasher
    // out of the upstream for fail_timeout (5 s): PUT until one reaches it.
    const replies: { id: string; status: number }[] = [];
    await waitFor('a PUT to reach the crasher', async () => {
      const id = `put-${replies.length}`;
      const reply = await client.put('/api/users/1', '{}', { 'X-Request-ID': id });
      replies.push({ id: `PUT ${id}`, status: reply.status });
      return received.crasher.includes(`PUT ${id}`);
    });
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    expect(received.healthy).toContain(replies.at(-1)!.id);
  });

  it('stamps each request with X-Request-Start: t=<seconds.milliseconds>, the client’s replaced, one stamp for all tries', async () => {
    const before = Date.now();
    const ids: string[] = [];
    const statuses: number[] = [];
    // Until one GET tried the crasher first and the healthy replica after it.
    await waitFor('a GET to be retried', async () => {
      const id = `stamp-${ids.length}`;
      ids.push(`GET ${id}`);
      statuses.push(
        (await client.get('/api/users/2', { 'X-Request-ID': id, 'X-Request-Start': 't=1' })).status,
      );
      return received.crasher.includes(`GET ${id}`);
    });
    const after = Date.now();
    expect(statuses).toEqual(statuses.map(() => 200));
    expect(stamps.get(ids.at(-1)!)).toHaveLength(2);
    for (const id of ids) {
      const [first, ...retries] = stamps.get(id) ?? [];
      expect(first).toMatch(/^t=\d{10}\.\d{3}$/);
      const ms = Number(first!.slice(2)) * 1000;
      // nginx's clock is its cached time of the event loop, at millisecond resolution.
      expect(ms).toBeGreaterThanOrEqual(before - 1000);
      expect(ms).toBeLessThanOrEqual(after + 1000);
      expect(retries).toEqual(retries.map(() => first));
    }
  });
});
