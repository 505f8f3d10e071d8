import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { createDeps } from './deps';
import type { Env } from './env';

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish within SHUTDOWN_TIMEOUT_MS, then closes pool and Redis. */
  shutdown(): Promise<void>;
}

/** Starts one replica: dependencies, the app, and an HTTP server tuned to sit behind nginx. */
export async function startServer(env: Env): Promise<RunningServer> {
  const deps = createDeps(env);
  const app = createApp(deps);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: env.HOST, port: env.PORT }, () => resolve(s as Server));
    s.once('error', reject);
  });
  // nginx closes idle upstream connections after its keepalive_timeout (60 s); if Node closed first, nginx could
  // send a request down a socket that is closing and answer 502. So Node waits longer than nginx does.
  server.keepAliveTimeout = env.KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = env.KEEP_ALIVE_TIMEOUT_MS + 1000;
  server.requestTimeout = 30_000;

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
