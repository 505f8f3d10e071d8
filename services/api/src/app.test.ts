import { afterAll, describe, expect, it } from 'vitest';
import { createApp, MAX_BODY_BYTES } from './app';
import { createDeps } from './deps';
import { loadEnv } from './env';
import { createLogger } from './observability/logger';

// Routing, validation and error mapping: every request here is answered before any query or cache call, so the
// dependencies point at ports where nothing listens and are never reached.
const env = loadEnv({
  PORT: '1',
  INSTANCE_ID: 'unit1',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
  REDIS_URL: 'redis://127.0.0.1:9',
  LOG_LEVEL: 'silent',
});
const deps = createDeps(env, createLogger('silent', 'unit1'));
const app = createApp(deps);
afterAll(() => deps.close());

const post = (path: string, body: string, type = 'application/json') =>
  app.request(path, { method: 'POST', headers: { 'content-type': type }, body });
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

describe('routing', () => {
  it('answers /health without touching a dependency, stamped with X-Instance', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-instance')).toBe('unit1');
    expect(await res.json()).toMatchObject({ status: 'ok', instance: 'unit1' });
  });

  it('answers an unknown route with a JSON 404 carrying X-Instance', async () => {
    const res = await app.request('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-instance')).toBe('unit1');
    expect(await errorOf(res)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('answers a wrong method on a known route with 405 JSON and Allow', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/health', 'GET, HEAD'],
      ['PUT', '/ready', 'GET, HEAD'],
      ['POST', '/api/users/7', 'DELETE, GET, HEAD, PATCH, PUT'],
      ['DELETE', '/api/users', 'GET, HEAD, POST'],
      ['PATCH', '/api/users', 'GET, HEAD, POST'],
      ['POST', '/api/system/overview', 'GET, HEAD'],
      ['POST', '/metrics', 'GET, HEAD'],
    ];

    for (const [method, path, allow] of cases) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(res.headers.get('x-instance')).toBe('unit1');
      expect(await errorOf(res)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    }
  });
});

describe('request validation', () => {
  it('rejects malformed JSON with 400 INVALID_JSON', async () => {
    const res = await post('/api/users', '{"email": ');
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'INVALID_JSON' });
  });

  it('rejects a body that is not JSON with 415', async () => {
    const res = await post('/api/users', 'email=a', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
  });

  it('rejects a body over 1 MB with 413 and never parses it', async () => {
    const big = JSON.stringify({ email: 'a@b.test', name: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await post('/api/users', big);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('names unknown and invalid fields', async () => {
    const res = await post('/api/users', JSON.stringify({ email: 'a@b.test', name: 'A', admin: true }));
    expect(res.status).toBe(400);
    const error = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(error.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(error.error.details)).toContain('admin');
  });

  it('rejects malformed ids, If-Match values and lookups before any query', async () => {
    expect((await app.request('/api/users/abc')).status).toBe(400);
    const badIfMatch = await app.request('/api/users/1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': 'v1' },
      body: JSON.stringify({ name: 'n' }),
    });
    expect(badIfMatch.status).toBe(400);
    expect((await errorOf(badIfMatch)).code).toBe('INVALID_IF_MATCH');
    const mismatch = await app.request('/api/users/1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '"v1"' },
      body: JSON.stringify({ name: 'n', version: 2 }),
    });
    expect((await errorOf(mismatch)).code).toBe('PRECONDITION_MISMATCH');
    const noPrecondition = await app.request('/api/users/1', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.test', name: 'n' }),
    });
    expect(noPrecondition.status).toBe(428);
    expect((await post('/api/users/lookup', JSON.stringify({ ids: [] }))).status).toBe(400);
    expect((await post('/api/users/lookup', JSON.stringify({ ids: [1.5] }))).status).toBe(400);
  });
});

describe('text a client sends', () => {
  const bad = [
    ['NUL', 'a\u0000b'],
    ['CR', 'a\rb'],
    ['LF', 'a\nb'],
    ['ESC', 'a\u001b[31mb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a line separator', 'a\u2028b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00b'],
  ];

  it.each(bad)(
    'refuses %s in a name or email with 400 naming the field (POST, PATCH, PUT, bulk)',
    async (_, text) => {
      const requests: [string, string, string, unknown][] = [
        ['POST', '/api/users', 'name', { email: 'a@b.test', name: text }],
        ['POST', '/api/users', 'email', { email: `${text}@b.test`, name: 'A' }],
        ['PATCH', '/api/users/1', 'name', { name: text }],
        ['PUT', '/api/users/1', 'email', { email: `${text}@b.test`, name: 'A' }],
        [
          'POST',
          '/api/users/bulk',
          'users.1.name',
          {
            users: [
              { email: 'a@b.test', name: 'A' },
              { email: 'c@b.test', name: text },
            ],
          },
        ],
      ];
      for (const [method, path, field, body] of requests) {
        const res = await app.request(path, {
          method,
          headers: { 'content-type': 'application/json', 'if-match': '*' },
          body: JSON.stringify(body),
        });
        expect(res.status, `${method} ${path} ${field}`).toBe(400);
        const error = (await res.json()) as { error: { code: string; details: { path: string }[] } };
        expect(error.error.code).toBe('VALIDATION_FAILED');
        expect(error.error.details.map((d) => d.path)).toContain(field);
      }
    },
  );

  it('keeps what is plain text: accents, emoji (a surrogate pair), CJK, inner spaces', async () => {
    // Passes validation and reaches the (absent) database, which answers 503: proof it was not refused as bad input.
    const res = await post('/api/users', JSON.stringify({ email: 'a@b.test', name: "Zoë 😀 李 O'Neil" }));
    expect(res.status).toBe(503);
  });

  it.each(['"v2147483648"', '"v9999999999"', 'W/"v4294967296"'])(
    'refuses If-Match %s (beyond any version) with 400 on PATCH, PUT and DELETE',
    async (tag) => {
      for (const method of ['PATCH', 'PUT', 'DELETE']) {
        const res = await app.request('/api/users/1', {
          method,
          headers: { 'content-type': 'application/json', 'if-match': tag },
          body: method === 'DELETE' ? undefined : JSON.stringify({ email: 'a@b.test', name: 'n' }),
        });
        expect(res.status, method).toBe(400);
        const error = await errorOf(res);
        expect(error.code).toBe('INVALID_IF_MATCH');
        expect(error.message).toContain('If-Match');
      }
    },
  );

  it('refuses a version in the body beyond any version with 400', async () => {
    const res = await app.request('/api/users/1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'n', version: 2147483648 }),
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('request deadline', () => {
  it('answers a request the gateway received longer ago than REQUEST_DEADLINE_MS with 503, running nothing', async () => {
    const started = (Date.now() - env.REQUEST_DEADLINE_MS - 50) / 1000;
    const res = await app.request('/api/users/1', {
      method: 'DELETE',
      headers: { 'x-request-start': `t=${started.toFixed(3)}` },
    });
    expect(res.status).toBe(503);
    expect(await errorOf(res)).toMatchObject({ code: 'REQUEST_EXPIRED' });
  });
});

describe('error mapping', () => {
  it('answers an unexpected error as a bare 500 without internals', async () => {
    const broken = createApp(deps);
    broken.get('/boom', () => {
      throw new Error('secret connection string postgres://admin:pw@db');
    });
    const res = await broken.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toBe('{"error":{"code":"INTERNAL","message":"internal server error"}}');
  });
});
