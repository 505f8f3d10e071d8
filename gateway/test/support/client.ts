import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A keep-alive HTTP client for test traffic: one Agent (pool of `connections` sockets) reused for every request,
 * as a load generator would, rather than a new connection or a `fetch` per request.
 */
export function keepAliveClient(base: string, connections = 8) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
      req.on('error', reject);
      req.end(body);
    });
  return {
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body: string, headers?: Record<string, string>) =>
      send('POST', path, body, { 'content-type': 'application/json', ...headers }),
    close: () => agent.destroy(),
  };
}

export type Client = ReturnType<typeof keepAliveClient>;
