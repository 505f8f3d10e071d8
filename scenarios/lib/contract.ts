import { type Answer, call } from './http';

/**
 * A deployment that does not answer as the scenarios expect: named endpoint, status got, status expected, and
 * where the request went. Not the body: this text is shown by the web UI and the reports, and whatever answers at
 * a host the UI was pointed at is none of their business; the X-Request-ID finds the request in the logs.
 */
export class ContractError extends Error {
  constructor(endpoint: string, got: Answer, expected: number, why = '') {
    super(
      `contract: ${endpoint} answered ${got.status}, expected ${expected}${why ? ` (${why})` : ''}, at ${got.origin}` +
        ` (X-Request-ID ${got.requestId})`,
    );
    this.name = 'ContractError';
  }
}

function expectStatus(endpoint: string, got: Answer, expected: number, why?: string): Answer {
  if (got.status !== expected) throw new ContractError(endpoint, got, expected, why);
  return got;
}

/**
 * Exercises every endpoint the user classes call, once each, before any load: a broken deployment is reported as
 * one line naming the endpoint, instead of as a wall of failures under load. Cleans up what it created.
 */
export async function contractPass(host: string, replicas: number, email: () => string): Promise<void> {
  expectStatus('GET /gateway-health', await call(host, 'GET', '/gateway-health'), 200);
  for (let n = 1; n <= replicas; n++) {
    const res = expectStatus(`GET /app${n}/health`, await call(host, 'GET', `/app${n}/health`), 200);
    if (res.headers['x-instance'] !== `app${n}`) {
      throw new ContractError(
        `GET /app${n}/health`,
        res,
        200,
        `X-Instance was ${res.headers['x-instance']}, not app${n}`,
      );
    }
  }
  expectStatus('GET /health', await call(host, 'GET', '/health'), 200);
  const created = expectStatus(
    'POST /api/users',
    await call(host, 'POST', '/api/users', { json: { email: email(), name: 'Contract' } }),
    201,
  );
  const { id } = created.json<{ id: number }>();
  const path = `/api/users/${id}`;
  expectStatus(`GET /api/users/:id`, await call(host, 'GET', path), 200);
  const second = await call(host, 'GET', path);
  if (second.headers['x-cache'] !== 'HIT') {
    throw new ContractError(
      'GET /api/users/:id (second read)',
      second,
      200,
      `X-Cache was ${second.headers['x-cache']}, not HIT`,
    );
  }
  expectStatus(
    'PATCH /api/users/:id',
    await call(host, 'PATCH', path, {
      json: { name: 'Contract 2' },
      headers: { 'if-match': created.headers.etag ?? '' },
    }),
    200,
  );
  expectStatus('GET /api/users?limit', await call(host, 'GET', '/api/users?limit=20'), 200);
  expectStatus(
    'POST /api/users/lookup',
    await call(host, 'POST', '/api/users/lookup', { json: { ids: [id] } }),
    200,
  );
  expectStatus('GET /api/system/overview', await call(host, 'GET', '/api/system/overview'), 200);
  expectStatus('DELETE /api/users/:id', await call(host, 'DELETE', path), 204);
  expectStatus('GET /api/users/:id (deleted)', await call(host, 'GET', path), 404);
}

/** Creates the hot set with one bulk request; its ids are what the readers read. */
export async function seedHotSet(host: string, size: number, email: () => string): Promise<number[]> {
  const users = Array.from({ length: size }, (_, i) => ({ email: email(), name: `Hot ${i}` }));
  const res = expectStatus(
    'POST /api/users/bulk',
    await call(host, 'POST', '/api/users/bulk', { json: { users } }),
    201,
  );
  return res.json<{ items: { id: number }[] }>().items.map((u) => u.id);
}
