import { once } from 'node:events';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../api/src/observability/logger';
import { createConsumer } from './consumer';
import type { WorkerEnv } from './env';
import { workerHttp } from './http';
import { createInserter, createWorkerPool } from './insert';
import { createWorkerMetrics } from './metrics';

function redisClient(url: string, commandTimeout: number) {
  return new Redis(url, {
    // Fail at once while disconnected (the loop retries) instead of queueing commands in memory.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
  });
}

export interface RunningWorker {
  port: number;
  /** Finishes the batch in hand (inserted and acknowledged), closes everything; bounded by SHUTDOWN_TIMEOUT_MS. */
  shutdown(): Promise<'clean' | 'timed out'>;
  /** Resolves when the consumer loop has ended (after shutdown). */
  done: Promise<void>;
}

/** Starts one worker: its connections, the consumer loop, the once-a-second group reading and its HTTP server. */
export async function startWorker(
  env: WorkerEnv,
  log: Logger = createLogger(env.LOG_LEVEL, env.WORKER_NAME),
): Promise<RunningWorker> {
  const startedAt = performance.now();
  const redis = redisClient(env.REDIS_URL, env.REDIS_COMMAND_TIMEOUT_MS);
  const reader = redisClient(env.REDIS_URL, env.WORKER_BLOCK_MS + env.REDIS_COMMAND_TIMEOUT_MS);
  for (const r of [redis, reader]) r.on('error', () => {}); // reported by the loop, which retries
  const pool = createWorkerPool(env);
  let consumer: ReturnType<typeof createConsumer>;
  const metrics = createWorkerMetrics(env.WORKER_NAME, () => consumer.reading());
  consumer = createConsumer({
    name: env.WORKER_NAME,
    stream: env.INGEST_STREAM,
    group: env.INGEST_GROUP,
    batchSize: env.WORKER_BATCH_SIZE,
    blockMs: env.WORKER_BLOCK_MS,
    claimIdleMs: env.WORKER_CLAIM_IDLE_MS,
    insertDelayMs: env.WORKER_INSERT_DELAY_MS,
    redis,
    reader,
    insert: createInserter(pool, env.INSERT_MODE),
    metrics,
    log,
  });

  let stopping = false;
  const app = workerHttp({
    worker: env.WORKER_NAME,
    consumer,
    redis,
    pool,
    registry: metrics.registry,
    readyTimeoutMs: env.READY_TIMEOUT_MS,
    startedAt,
    stopping: () => stopping,
  });
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.WORKER_PORT, env.WORKER_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.WORKER_PORT;

  // Commands fail at once while disconnected (no offline queue): let the connections come up before the loop's
  // first read, so a normal start logs no failure. A Redis that is down stays the loop's to retry and report.
  await Promise.race([
    Promise.all([redis, reader].map((r) => (r.status === 'ready' ? undefined : once(r, 'ready')))),
    new Promise((resolve) => setTimeout(resolve, 2000).unref()),
  ]);
  const refresher = setInterval(() => void consumer.refresh(), 1000);
  void consumer.refresh();
  const done = consumer.run();
  log.info('listening', {
    host: env.WORKER_HOST,
    port,
    stream: env.INGEST_STREAM,
    group: env.INGEST_GROUP,
    batchSize: env.WORKER_BATCH_SIZE,
    insertMode: env.INSERT_MODE,
  });

  let stopped: Promise<'clean' | 'timed out'> | undefined;
  const shutdown = () => {
    stopped ??= (async () => {
      stopping = true;
      log.info('shutting down: finishing the batch in hand', { inHand: consumer.stats().inHand });
      consumer.stop();
      clearInterval(refresher);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timed out'>((resolve) => {
        timer = setTimeout(() => resolve('timed out'), env.SHUTDOWN_TIMEOUT_MS);
      });
      const outcome = await Promise.race([done.then(() => 'clean' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timed out') {
        log.warn('the batch in hand did not finish in time; it stays pending for another worker');
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([pool.end(), redis.quit(), reader.quit()]);
      redis.disconnect();
      reader.disconnect();
      log.info('stopped', { processed: consumer.stats().processed });
      return outcome;
    })();
    return stopped;
  };
  return { port, shutdown, done };
}
