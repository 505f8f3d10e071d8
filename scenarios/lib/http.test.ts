import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from './http';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server whose first `shed` answers are 503 with `body`, then 200; counts the requests. */
async function shedding(shed: number, body: string, retryAfter: string | null = '0') {
  const seen = { n: 0 };
  server = createServer((_req, res) => {
    seen.n++;
    if (seen.n <= shed) {
      res.writeHead(503, {
        'content-type': 'application/json',
        ...(retryAfter && { 'retry-after': retryAfter }),
      });
      res.end(body);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { seen, host: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const OVERLOADED = '{"error":{"code":"OVERLOADED","message":"busy"}}';

describe('call (setup and teardown HTTP)', () => {
  it('asks again when a replica sheds load, after its Retry-After', async () => {
    const { seen, host } = await shedding(2, OVERLOADED);
    const a = await call(host, 'GET', '/x');
    expect(a.status).toBe(200);
    expect(seen.n).toBe(3);
  });

  it('gives up after 5 tries and returns the last answer', async () => {
    const { seen, host } = await shedding(10, OVERLOADED);
    expect((await call(host, 'GET', '/x')).status).toBe(503);
    expect(seen.n).toBe(5);
  });

  it('does not retry any other 503, nor a shed answer without Retry-After', async () => {
    const other = await shedding(1, '{"error":{"code":"CACHE_UNAVAILABLE","message":"x"}}');
    expect((await call(other.host, 'POST', '/x', { json: {} })).status).toBe(503);
    expect(other.seen.n).toBe(1);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const bare = await shedding(1, OVERLOADED, null);
    expect((await call(bare.host, 'GET', '/x')).status).toBe(503);
    expect(bare.seen.n).toBe(1);
  });
});
