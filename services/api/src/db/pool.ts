import pg from 'pg';
import type { Env } from '../env';
import { serviceUnavailable } from '../errors';

// int8 ids fit in a double up to 2^53, which the id validator enforces; parse them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Told of every wait for a pool connection: how long it took, or that it failed. */
export interface AcquireObserver {
  acquired(seconds: number): void;
  failed(): void;
}

type ConnectCallback = Parameters<pg.Pool['connect']>[0];

/**
 * pg's Pool, timing every checkout. `connect` is the one way in: `pool.query` (what the prepared queries run
 * through) calls it too, so queries and transactions are both timed, from the request to a connection in hand
 * (the wait in the queue of a full pool, or opening a new connection).
 */
class ObservedPool extends pg.Pool {
  readonly #observer: AcquireObserver;

  constructor(config: pg.PoolConfig, observer: AcquireObserver) {
    super(config);
    this.#observer = observer;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    const started = performance.now();
    const observer = this.#observer;
    if (callback) {
      super.connect((err, client, done) => {
        if (err) observer.failed();
        else observer.acquired((performance.now() - started) / 1000);
        callback(err, client, done);
      });
      return undefined;
    }
    return super.connect().then(
      (client) => {
        observer.acquired((performance.now() - started) / 1000);
        return client;
      },
      (err: unknown) => {
        observer.failed();
        throw err;
      },
    );
  }
}

const UNOBSERVED: AcquireObserver = { acquired() {}, failed() {} };

/**
 * The replica's Postgres pool, each checkout timed for `observer`. `connectionTimeoutMillis` bounds both opening a
 * connection and waiting for a busy pool, so an exhausted pool fails fast instead of queueing forever;
 * `statement_timeout` bounds every query on the server and `query_timeout` (a little longer) on the client in case
 * the server cannot even answer.
 */
export function createPool(
  env: Pick<
    Env,
    'DATABASE_URL' | 'PG_POOL_MAX' | 'PG_POOL_TIMEOUT_MS' | 'PG_STATEMENT_TIMEOUT_MS' | 'INSTANCE_ID'
  >,
  /** Told how long each checkout waited (the replica's pg_pool_acquire_seconds). */
  observer: AcquireObserver = UNOBSERVED,
): pg.Pool {
  const pool = new ObservedPool(
    {
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
    },
    observer,
  );
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
