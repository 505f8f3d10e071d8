import { request } from 'undici';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json<T = unknown>(): T;
}

/**
 * Plain HTTP for setup and teardown (seeding, the contract pass, metrics): outside the measured users, so none
 * of it is counted in the run's statistics. Bounded by a timeout; never hangs.
 */
export async function call(
  host: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await request(new URL(path, host), {
    method,
    headers: {
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      'x-request-id': `swarmgate-setup-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
      ...options.headers,
    },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
  return { status: res.statusCode, headers, text, json: <T>() => JSON.parse(text) as T };
}
