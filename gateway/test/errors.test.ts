import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/ports';
import { type AccessLine, accessLogPath } from './support/access-log';
import { type Client, keepAliveClient } from './support/client';
import { type RawReply, rawRequest } from './support/raw';
import { downTestStack, type TestStack, upTestStack } from './support/stack';

// What the gateway refuses and how it says so: every answer of its own is JSON in the API's shape, HTTP/0.9 gets
// no answer, and the access log stays valid JSON whatever bytes a client sends. Raw sockets send what no client
// library would (raw bytes in the target, a 9 KB header, HTTP/0.9).
let stack: TestStack;
let client: Client;

beforeAll(async () => {
  stack = await upTestStack(3);
  client = keepAliveClient(`http://127.0.0.1:${stack.gatewayPort}`, 4);
});

afterAll(async () => {
  client?.close();
  await downTestStack(stack);
});

/** A raw HTTP/1.1 request: `head` is the request line, then the given header lines; the server closes after it. */
const raw = (head: string, headers: string[] = [], localAddress?: string) =>
  rawRequest(
    stack.gatewayPort,
    Buffer.concat([
      Buffer.from(head, 'latin1'),
      Buffer.from(`\r\n${['Host: gateway', ...headers, 'Connection: close'].join('\r\n')}\r\n\r\n`, 'latin1'),
    ]),
    { localAddress },
  );

/** What a JSON error says, for one comparison: status, content type, code, and the type of its message. */
function jsonError(reply: RawReply) {
  const { error } = JSON.parse(reply.body) as { error: { code: string; message: unknown } };
  return {
    status: reply.status,
    type: reply.headers['content-type'],
    code: error.code,
    message: typeof error.message,
  };
}

const kib9 = 'a'.repeat(9 * 1024);

describe('the gateway refuses', () => {
  it.each([
    ['a NUL in the path', 'GET /api/users/1%00 HTTP/1.1', [], 400, 'BAD_REQUEST'],
    ['a method that is not a token', 'G\xffT / HTTP/1.1', [], 400, 'BAD_REQUEST'],
    ['TRACE', 'TRACE /api/users HTTP/1.1', [], 405, 'METHOD_NOT_ALLOWED'],
    ['a 9 KB query string', `GET /api/users?q=${kib9} HTTP/1.1`, [], 414, 'URI_TOO_LONG'],
    ['a 9 KB header', 'GET /api/users HTTP/1.1', [`X-Big: ${kib9}`], 431, 'HEADERS_TOO_LARGE'],
    [
      'an unknown Transfer-Encoding',
      'POST /api/users HTTP/1.1',
      ['Transfer-Encoding: gzip'],
      501,
      'NOT_IMPLEMENTED',
    ],
    ['HTTP/2.0 in the request line', 'GET /api/users HTTP/2.0', [], 505, 'HTTP_VERSION_NOT_SUPPORTED'],
    ['a request for its internal error page', 'GET /.gateway/error HTTP/1.1', [], 404, 'ROUTE_NOT_FOUND'],
  ])('%s with a JSON error in the API shape', async (_, head, headers, status, code) => {
    const reply = await raw(head, headers);
    expect(jsonError(reply)).toEqual({ status, type: 'application/json', code, message: 'string' });
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('HTTP/0.9 requests by closing the connection without a byte', async () => {
    for (const path of ['/gateway-health', '/api/users?limit=1', '/app1/health']) {
      const reply = await rawRequest(stack.gatewayPort, `GET ${path}\r\n`);
      expect(reply.bytes.toString('latin1'), `GET ${path} over HTTP/0.9`).toBe('');
    }
  });
});

describe('the methods of the gateway’s own routes', () => {
  it('are GET and HEAD: anything else is a JSON 405 naming them in Allow', async () => {
    for (const [method, path] of [
      ['POST', '/gateway-health'],
      ['DELETE', '/gateway-health'],
      ['OPTIONS', '/gateway-health'],
      ['TRACE', '/gateway-health'],
      ['POST', '/app1/health'],
      ['PUT', '/app2/metrics'],
      ['TRACE', '/app3/ready'],
    ] as const) {
      const reply = await raw(`${method} ${path} HTTP/1.1`, ['Content-Length: 0']);
      expect({ method, path, ...jsonError(reply), allow: reply.headers.allow }).toEqual({
        method,
        path,
        status: 405,
        type: 'application/json',
        code: 'METHOD_NOT_ALLOWED',
        message: 'string',
        allow: 'GET, HEAD',
      });
    }
    expect((await client.get('/gateway-health')).status).toBe(200);
    expect((await client.send('HEAD', '/gateway-health')).status).toBe(200);
    expect((await client.send('HEAD', '/app1/health')).status).toBe(200);
  });

  it('elsewhere are the replica’s to name: a TRACE nginx refuses before any route gets no Allow', async () => {
    const reply = await raw('TRACE /api/users/1 HTTP/1.1');
    expect({ ...jsonError(reply), allow: reply.headers.allow }).toEqual({
      status: 405,
      type: 'application/json',
      code: 'METHOD_NOT_ALLOWED',
      message: 'string',
      allow: undefined,
    });
  });
});

describe('the access log', () => {
  it('refuses raw bytes >= 0x80 in the target with a JSON 400 and keeps every line valid UTF-8 JSON', async () => {
    const run = randomUUID();
    const targets = {
      ff: '/api/users/\xff',
      broken: '/api/users/\xc3\x28',
      eacute: '/api/users/\xc3\xa9',
      query: '/api/users?name=\xff',
    };
    for (const [name, target] of Object.entries(targets)) {
      const reply = await raw(`GET ${target} HTTP/1.1`, [`X-Request-ID: ${name}-${run}`]);
      expect({ name, ...jsonError(reply) }).toEqual({
        name,
        status: 400,
        type: 'application/json',
        code: 'BAD_REQUEST',
        message: 'string',
      });
    }
    // Percent-encoded, é is an ordinary request target: the replica answers it (its own 400, a bad user id).
    const encoded = await client.get('/api/users/%C3%A9', { 'X-Request-ID': `encoded-${run}` });
    expect([encoded.status, encoded.headers['x-instance']]).toEqual([400, expect.stringMatching(/^app\d$/)]);
    // Raw bytes elsewhere, each from a client address of its own so that its line can be found: in a request id
    // (replaced by the gateway's own) and in the method (refused before nginx knows a request id).
    await raw('GET /gateway-health HTTP/1.1', ['X-Request-ID: caf\xc3\xa9'], '127.0.0.3');
    await raw('G\xffT /gateway-health HTTP/1.1', [], '127.0.0.4');

    const log = accessLogPath(stack.dir);
    const markers = [
      ...Object.keys(targets).map((name) => `"request_id":"${name}-${run}"`),
      `"request_id":"encoded-${run}"`,
      '"remote_addr":"127.0.0.3"',
      '"remote_addr":"127.0.0.4"',
    ];
    // Bytes, not text: a line of invalid UTF-8 must not be mended by a lenient decoder before it is judged.
    await waitFor('every request in the access log', () => {
      const bytes = readFileSync(log);
      return markers.every((m) => bytes.includes(m));
    });
    const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(log));
    const lines = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AccessLine);
    const from = (address: string) => lines.find((l) => l.remote_addr === address);
    for (const name of Object.keys(targets)) {
      expect(lines.find((l) => l.request_id === `${name}-${run}`)).toMatchObject({
        method: 'GET',
        status: 400,
        uri: '(refused: non-ASCII bytes)',
        upstream_addr: '',
      });
    }
    expect(lines.find((l) => l.request_id === `encoded-${run}`)).toMatchObject({ uri: '/api/users/%C3%A9' });
    expect(from('127.0.0.3')).toMatchObject({
      status: 200,
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(from('127.0.0.4')).toMatchObject({ status: 400, method: '-' });
  });
});
