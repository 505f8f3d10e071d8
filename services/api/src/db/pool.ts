import pg from 'pg';
import type { Env } from '../env';
import { serviceUnavailable } from '../errors';

// int8 ids fit in a double up to 2^53, which the id validator enforces; parse them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * The replica's Postgres pool. `connectionTimeoutMillis` bounds both opening a connection and waiting for a busy
 * pool, so an exhausted pool fails fast instead of queueing forever; `statement_timeout` bounds every query on the
 * server and `query_timeout` (a little longer) on the client in case the server cannot even answer.
 */
export function createPool(
  env: Pick<
    Env,
    'DATABASE_URL' | 'PG_POOL_MAX' | 'PG_POOL_TIMEOUT_MS' | 'PG_STATEMENT_TIMEOUT_MS' | 'INSTANCE_ID'
  >,
) {
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: env.PG_POOL_MAX,
    connectionTimeoutMillis: env.PG_POOL_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: env.PG_STATEMENT_TIMEOUT_MS,
    lock_timeout: env.PG_STATEMENT_TIMEOUT_MS,
    query_timeout: env.PG_STATEMENT_TIMEOUT_MS + 1000,
    idle_in_transaction_session_timeout: env.PG_STATEMENT_TIMEOUT_MS * 2,
    application_name: `swarmgate-${env.INSTANCE_ID}`,
    keepAlive: true,
  });
  // An idle connection that the server drops emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', () => {});
  return pool;
}

export type Pool = pg.Pool;

/**
 * A one-connection pool for /ready alone, so a main pool that is full (busy, not broken) does not read as
 * Postgres being down.
 */
export function createProbePool(env: Pick<Env, 'DATABASE_URL' | 'READY_TIMEOUT_MS' | 'INSTANCE_ID'>) {
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: 1,
    connectionTimeoutMillis: env.READY_TIMEOUT_MS,
    idleTimeoutMillis: 60_000,
    statement_timeout: env.READY_TIMEOUT_MS,
    query_timeout: env.READY_TIMEOUT_MS,
    application_name: `swarmgate-${env.INSTANCE_ID}-ready`,
  });
  pool.on('error', () => {});
  return pool;
}

/** A Postgres failure in the API's own words, for /ready: what is wrong, never the driver's text or an address. */
export function describePostgresError(err: unknown): string {
  if (!(err instanceof Error)) return 'Postgres failed';
  const code = (err as { code?: string }).code;
  if (code === '28P01' || code === '28000') return 'Postgres refused the credentials';
  if (code === '3D000') return 'the database does not exist';
  if (code === '53300') return 'Postgres has no free connection slots';
  if (code?.startsWith('57P')) return 'Postgres is shutting down or starting up';
  if (code === '57014' || /timeout|timed out/i.test(err.message)) return 'Postgres did not answer in time';
  if ((code !== undefined && UNREACHABLE_CODES.has(code)) || err.message.includes('Connection terminated')) {
    return 'Postgres is unreachable';
  }
  return 'Postgres failed';
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

/**
 * Maps a failure of Postgres itself (not of the request) to a 503 with Retry-After, or returns undefined when the
 * error is something else. Postgres SQLSTATEs: 57014 statement timeout, 55P03 lock timeout, 53300 too many
 * connections, 57P01-57P03 shutting down or starting up.
 */
export function databaseUnavailable(err: unknown) {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: string }).code;
  if (err.message.startsWith('timeout exceeded when trying to connect')) {
    return serviceUnavailable('DB_POOL_EXHAUSTED', 'every database connection is busy; retry shortly');
  }
  if (code === '57014' || code === '55P03' || err.message === 'Query read timeout') {
    return serviceUnavailable('DB_TIMEOUT', 'the database did not answer in time; retry shortly');
  }
  if (code === '53300' || code?.startsWith('57P') || (code !== undefined && UNREACHABLE_CODES.has(code))) {
    return serviceUnavailable('DB_UNAVAILABLE', 'the database is unavailable; retry shortly');
  }
  if (err.message === 'Connection terminated unexpectedly' || err.message.includes('Connection terminated')) {
    return serviceUnavailable('DB_UNAVAILABLE', 'the database connection was lost; retry shortly');
  }
  return undefined;
}
