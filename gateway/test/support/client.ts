import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ClientOptions {
  /** Pool size (default 8). */
  connections?: number;
  /** The local address to connect from, e.g. `127.0.0.2` to be another client of a gateway on 127.0.0.1. */
  localAddress?: string;
}

/**
 * A keep-alive HTTP client for test traffic: one Agent (pool of `connections` sockets) reused for every request,
 * as a load generator would, rather than a new connection or a `fetch` per request.
 */
export function keepAliveClient(base: string, options: ClientOptions | number = {}) {
  const { connections = 8, localAddress } = typeof options === 'number' ? { connections: options } : options;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, agent, headers, localAddress }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path}: no answer within 20 s`)));
      req.on('error', reject);
      req.end(body);
    });
  const json = { 'content-type': 'application/json' };
  return {
    send,
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body: string, headers?: Record<string, string>) =>
      send('POST', path, body, { ...json, ...headers }),
    put: (path: string, body: string, headers?: Record<string, string>) =>
      send('PUT', path, body, { ...json, ...headers }),
    close: () => agent.destroy(),
  };
}

export type Client = ReturnType<typeof keepAliveClient>;

/**
 * The `error.code` of a JSON error body in the API's shape, undefined for JSON of another shape; throws, quoting
 * the body, when it is not JSON at all (nginx's own HTML pages).
 */
export function errorCode(reply: Reply): string | undefined {
  try {
    return (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code;
  } catch {
    throw new Error(`${reply.status} with a body that is not JSON: ${reply.body.slice(0, 200)}`);
  }
}
