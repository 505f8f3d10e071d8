import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener, RequestError } from '@hono/node-server';
import { createApp } from './app';
import { createDeps } from './deps';
import type { Env } from './env';

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish within SHUTDOWN_TIMEOUT_MS, then closes pool and Redis. */
  shutdown(): Promise<void>;
}

const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'HEADERS_TOO_LARGE',
    'the request headers are too large',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'Request Timeout',
    'REQUEST_TIMEOUT',
    'the request was not received in time',
  ],
};

/**
 * A request Node's parser refuses (a raw backslash or control character in the path, a malformed header, headers
 * too large, too slow) never reaches the app; Node would answer a bare 400 with no body. Answer in the API's
 * shape instead, then close: after a parse error the connection's framing cannot be trusted.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex) {
  if (!socket.writable || (err as { code?: string }).code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, text, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'Bad Request',
    'BAD_REQUEST',
    'the request is not valid HTTP',
  ];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * A request that parses as HTTP but cannot become a URL (a raw backslash in the path, a malformed Host) fails
 * before the app sees it; the adapter would answer an empty 400. Answer in the API's shape instead.
 */
function answerRequestError(err: unknown): Response {
  const bad = err instanceof RequestError;
  const body = bad
    ? {
        error: { code: 'BAD_REQUEST', message: `the request cannot be served: ${err.message.toLowerCase()}` },
      }
    : { error: { code: 'INTERNAL', message: 'internal server error' } };
  return new Response(JSON.stringify(body), {
    status: bad ? 400 : 500,
    headers: { 'content-type': 'application/json' },
  });
}

/** Starts one replica: dependencies, the app, and an HTTP server tuned to sit behind nginx. */
export async function startServer(env: Env): Promise<RunningServer> {
  const deps = createDeps(env);
  const app = createApp(deps);

  const server = createServer(
    getRequestListener(app.fetch, { hostname: env.HOST, errorHandler: answerRequestError }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // nginx closes idle upstream connections after its keepalive_timeout (60 s); if Node closed first, nginx could
  // send a request down a socket that is closing and answer 502. So Node waits longer than nginx does.
  server.keepAliveTimeout = env.KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = env.KEEP_ALIVE_TIMEOUT_MS + 1000;
  server.requestTimeout = 30_000;
  server.on('clientError', answerClientError);

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  deps.log.info('listening', { host: env.HOST, port });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      deps.log.info('shutting down', { timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
      deps.drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), env.SHUTDOWN_TIMEOUT_MS);
      });
      if (await Promise.race([closed.then(() => false), timedOut])) {
        deps.log.warn('in-flight requests did not finish in time; closing their connections');
        server.closeAllConnections();
        await closed;
      }
      clearTimeout(timer);
      await deps.close();
      deps.log.info('stopped');
    })();
    return stopping;
  };
  return { server, port, shutdown };
}
