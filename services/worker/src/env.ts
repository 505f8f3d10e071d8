import { hostname } from 'node:os';
import { z } from 'zod';
import { EnvError, int, LOG_LEVELS, parseEnv, urlWithProtocols as url } from '../../api/src/env';

export { EnvError };

/**
 * The worker's settings, read from the environment in this one place (the API's conventions: zod, an `EnvError`
 * naming every bad setting; `index.ts` prints it and exits 1). Defaults: WORKER_NAME <hostname>-<pid> (the
 * consumer's name in the group), WORKER_HOST 127.0.0.1, WORKER_PORT 0 (any free port, logged), WORKER_BATCH_SIZE 100,
 * WORKER_BLOCK_MS 1000, WORKER_CLAIM_IDLE_MS 5000, INSERT_MODE batch, INGEST_STREAM events, INGEST_GROUP ingest,
 * PG_POOL_MAX 2, PG_STATEMENT_TIMEOUT_MS 10000, REDIS_COMMAND_TIMEOUT_MS 2000, SHUTDOWN_TIMEOUT_MS 15000,
 * LOG_LEVEL info. WORKER_INSERT_DELAY_MS (default 0) is a test knob: it holds each batch that long before its
 * INSERT, so a test can kill a worker with a batch in hand.
 */
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'must be 1-100 letters, digits, "-", "_", "." or ":"');

const workerSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
  WORKER_NAME: name.default(`${hostname()}-${process.pid}`),
  WORKER_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_PORT: int(0, 65535).default(0),
  // At most 10000 rows: 6 parameters a row stay under Postgres's 65535 per statement.
  WORKER_BATCH_SIZE: int(1, 10_000).default(100),
  WORKER_BLOCK_MS: int(1, 60_000).default(1000),
  WORKER_CLAIM_IDLE_MS: int(100, 3_600_000).default(5000),
  WORKER_INSERT_DELAY_MS: int(0, 600_000).default(0),
  INSERT_MODE: z.enum(['batch', 'single']).default('batch'),
  INGEST_STREAM: name.default('events'),
  INGEST_GROUP: name.default('ingest'),
  PG_POOL_MAX: int(1, 100).default(2),
  PG_STATEMENT_TIMEOUT_MS: int(1, 600_000).default(10_000),
  REDIS_COMMAND_TIMEOUT_MS: int(1, 60_000).default(2000),
  READY_TIMEOUT_MS: int(1, 60_000).default(1000),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(15_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export type WorkerEnv = z.infer<typeof workerSchema>;

type Source = Record<string, string | undefined>;

export function loadWorkerEnv(source: Source = process.env): WorkerEnv {
  // An empty variable means "not set", as in the API (whose parser this is).
  return parseEnv(workerSchema, source);
}
