import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app';
import { type Env, EnvError, loadEnv } from './env';
import { createLogger } from './logger';
import { createMetrics } from './metrics';

let env: Env;
try {
  env = loadEnv();
} catch (err) {
  if (!(err instanceof EnvError)) throw err;
  console.error(`downstream: ${err.message}`);
  process.exit(1);
}

const log = createLogger(env.LOG_LEVEL, env.INSTANCE_ID);
const initial = { latencyMs: env.LATENCY_MS, jitterMs: env.JITTER_MS, errorRate: env.ERROR_RATE };
const state = { initial, current: { ...initial } };
const metrics = createMetrics(env.INSTANCE_ID, () => state.current);
const app = createApp({ instance: env.INSTANCE_ID, state, metrics, log });
const server = createServer(getRequestListener(app.fetch, { hostname: env.HOST }));
// Above the API's keep-alive pool's idle time, so the client closes first and never reuses a closing socket.
server.keepAliveTimeout = 65_000;

server.once('error', (err: NodeJS.ErrnoException) => {
  const reason =
    err.code === 'EADDRINUSE' ? `port ${env.PORT} on ${env.HOST} is already in use` : err.message;
  console.error(`downstream: cannot start: ${reason}`);
  process.exit(1);
});
server.listen(env.PORT, env.HOST, () =>
  log.info('listening', { host: env.HOST, port: env.PORT, ...initial }),
);

const stop = (signal: string) => {
  log.info(`received ${signal}`);
  // Answers in flight finish (within SHUTDOWN_TIMEOUT_MS); idle keep-alive connections close now.
  const timer = setTimeout(() => server.closeAllConnections(), env.SHUTDOWN_TIMEOUT_MS);
  server.close(() => {
    clearTimeout(timer);
    log.info('stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
