import { request } from 'undici';

export interface Answer {
  status: number;
  /** Where the request went (e.g. http://127.0.0.1:8080) and its X-Request-ID: what an error names, not the body. */
  origin: string;
  requestId: string;
  headers: Record<string, string>;
  text: string;
  /** The body parsed; throws an error naming the request and status, not the body, when it is not JSON. */
  json<T = unknown>(): T;
}

/**
 * Error texts reach the console, the reports and the web UI (which may be read by whoever can reach it): they name
 * the request and status, never the target's body. V8's own JSON error quotes the body's start, so it is replaced.
 */
function parseJson<T>(text: string, what: string, status: number): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SyntaxError(`${what} answered ${status}: the body is not JSON`);
  }
}

/** How often setup and teardown ask again when a replica sheds load (503 OVERLOADED with Retry-After). */
const OVERLOADED_TRIES = 5;

/**
 * Plain HTTP for setup and teardown (seeding, the contract pass, metrics): outside the measured users, so none
 * of it is counted in the run's statistics. Bounded by a timeout; never hangs. A replica that sheds load (503
 * `OVERLOADED`, which did nothing, with `Retry-After`) is asked again after the time it names (2 s at most), up
 * to 5 tries: with a low SHED_LAG_MS, a busy machine's scheduling delays alone can make an idle replica shed for
 * a moment, which says nothing about the stack's contract.
 */
export async function call(
  host: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await callOnce(host, method, path, options);
    const retryAfterS = Number(answer.headers['retry-after']);
    if (
      answer.status !== 503 ||
      attempt >= OVERLOADED_TRIES ||
      !Number.isFinite(retryAfterS) ||
      !/"code"\s*:\s*"OVERLOADED"/.test(answer.text)
    )
      return answer;
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfterS, 2) * 1000));
  }
}

async function callOnce(
  host: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(path, host);
  const requestId =
    options.headers?.['x-request-id'] ??
    `swarmgate-setup-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const res = await request(url, {
    method,
    headers: {
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
      'x-request-id': requestId,
    },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
  const status = res.statusCode;
  const what = `${method} ${url.pathname} at ${url.origin} (X-Request-ID ${requestId})`;
  return {
    status,
    origin: url.origin,
    requestId,
    headers,
    text,
    json: <T>() => parseJson<T>(text, what, status),
  };
}
