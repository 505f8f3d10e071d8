import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  /** Requests received, by `METHOD path-without-query`. */
  counts: Map<string, number>;
  total(): number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/**
 * A local HTTP server on 127.0.0.1, port 0, that counts every request it receives (so the engine's counts can
 * be compared with the truth) and answers through `handler` (default: 200 "ok").
 */
export async function startTestServer(
  handler?: Handler,
  options: { keepAliveHint?: boolean } = {},
): Promise<TestServer> {
  const counts = new Map<string, number>();
  let connections = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = `${req.method} ${url.pathname}`;
    // Count when the request is complete (body read), as the engine counts on the response.
    req.resume();
    req.on('end', () => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (handler) handler(req, res, url);
      else res.end('ok');
    });
  });
  server.on('connection', () => {
    connections++;
  });
  // 60 s, said in a `Keep-Alive: timeout=60` header; without the hint (as nginx), 0: Node then keeps idle
  // connections open without saying for how long.
  server.keepAliveTimeout = options.keepAliveHint === false ? 0 : 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((s, n) => s + n, 0),
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `condition` holds, polling every 10 ms; rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
