import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/ports';
import { waitForLogLines } from './support/access-log';
import { type Client, errorCode, keepAliveClient, type Reply } from './support/client';
import { downTestStack, type TestStack, upTestStack } from './support/stack';

// Per-client quotas at the gateway (gateway.d/quota.conf). 1 request a minute and a burst of 3: a client gets
// exactly 4 requests through (the first and the burst) within any test run shorter than a minute, whatever the
// machine's speed, and everything after them is a 429.
const BURST = 3;
let stack: TestStack;
const clients: Client[] = [];
let base = '';

beforeAll(async () => {
  stack = await upTestStack(2, {
    QUOTA_RATE: '1r/m',
    QUOTA_BURST: String(BURST),
    MONITOR: 'off',
    // The cascade lab's downstream service, where the stack runs one: off the default port.
    DOWNSTREAM_PORT: String(await freePort()),
  });
  base = `http://127.0.0.1:${stack.gatewayPort}`;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await downTestStack(stack);
});

const client = (localAddress = '127.0.0.1') => {
  const c = keepAliveClient(base, { connections: 4, localAddress });
  clients.push(c);
  return c;
};

let sequence = 0;
/** `n` requests at once (4 connections), each with its own request id; the replies in order. */
async function burst(c: Client, n: number, headers: Record<string, string> = {}, method = 'GET') {
  const ids = Array.from({ length: n }, () => `quota-${process.pid}-${++sequence}`);
  const replies = await Promise.all(
    ids.map((id) =>
      method === 'GET'
        ? c.get('/api/users?limit=1', { ...headers, 'X-Request-ID': id })
        : c.post('/api/users', '{}', { ...headers, 'X-Request-ID': id }),
    ),
  );
  return { ids, replies };
}

const passed = (replies: Reply[]) => replies.filter((r) => r.status !== 429).length;

describe('per-client quotas at the gateway', () => {
  it('answers past rate + burst 429 JSON RATE_LIMITED with Retry-After, and passes only rate + burst on', async () => {
    const { ids, replies } = await burst(client(), 12, { 'X-API-Key': 'key-a' });
    expect(passed(replies)).toBe(BURST + 1);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(BURST + 1);
    const refused = replies.find((r) => r.status === 429)!;
    expect({
      type: refused.headers['content-type'],
      retryAfter: refused.headers['retry-after'],
      code: errorCode(refused),
      upstream: refused.headers['x-upstream'],
    }).toEqual({ type: 'application/json', retryAfter: '60', code: 'RATE_LIMITED', upstream: undefined });
    // A 200 from a replica carries no Retry-After.
    expect(replies.find((r) => r.status === 200)!.headers['retry-after']).toBeUndefined();

    // The replicas saw exactly the requests that passed; the access log records each refusal.
    const lines = [...(await waitForLogLines(stack.dir, ids)).values()];
    const reached = lines.filter((l) => l.upstream_addr !== '' && l.upstream_addr !== '-');
    expect(reached).toHaveLength(BURST + 1);
    const rejected = lines.filter((l) => l.status === 429);
    expect(rejected).toHaveLength(12 - BURST - 1);
    expect(rejected.every((l) => (l as unknown as { quota: string }).quota === 'REJECTED')).toBe(true);
  });

  it('gives each API key its own bucket', async () => {
    const c = client();
    expect(passed((await burst(c, 8, { 'X-API-Key': 'key-b' })).replies)).toBe(BURST + 1);
    expect(passed((await burst(c, 8, { 'X-API-Key': 'key-c' })).replies)).toBe(BURST + 1);
    expect(passed((await burst(c, 2, { 'X-API-Key': 'key-b' })).replies)).toBe(0);
  });

  it('gives each client address its own bucket when there is no key, apart from the keys', async () => {
    const two = client('127.0.0.2');
    const three = client('127.0.0.3');
    expect(passed((await burst(two, 8)).replies)).toBe(BURST + 1);
    expect(passed((await burst(three, 8)).replies)).toBe(BURST + 1);
    expect(passed((await burst(two, 2)).replies)).toBe(0);
    // The same address with a key is that key's client, not the address's.
    expect(passed((await burst(two, 2, { 'X-API-Key': 'key-d' })).replies)).toBe(2);
  });

  it('counts a write once (it passes through @write) and keeps the operator routes out of the quota', async () => {
    const four = client('127.0.0.4');
    const writes = await burst(four, 8, {}, 'POST');
    expect(passed(writes.replies)).toBe(BURST + 1);
    expect(writes.replies.filter((r) => r.status !== 429).every((r) => r.status === 400)).toBe(true);
    expect(errorCode(writes.replies.find((r) => r.status === 429)!)).toBe('RATE_LIMITED');
    // Over its quota, the client still reaches the gateway's and the replicas' health.
    for (const path of ['/gateway-health', '/health', '/ready']) {
      expect((await four.get(path)).status, path).toBe(200);
    }
  });
});
