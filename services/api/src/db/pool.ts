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
 * A pg Client whose queries go unnamed, for a pooler in transaction mode (PG_TRANSACTION_POOLING=on). A named
 * statement is prepared once per server connection and kept there; behind PgBouncer 1.18 (Debian 12's, without
 * prepared-statement support) consecutive transactions of one client land on different server connections, so a
 * name is "already exists" on one and "does not exist" on the next (measured: 339 of 600 concurrent creates were
 * 500s). Unnamed, each query is parsed, bound and run within one round trip, which any server connection takes.
 */
class UnnamedStatementsClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; only the config is touched.
  override query(...args: any[]): any {
    const [config] = args;
    if (typeof config === 'object' && config !== null && typeof config.name === 'string') {
      const { name: _unnamed, ...unnamed } = config as pg.QueryConfig;
      args[0] = unnamed;
    }
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    return (super.query as (...a: any[]) => any)(...args);
  }
}

type SessionEnv = Pick<Env, 'PG_STATEMENT_TIMEOUT_MS'>;

/**
 * The session settings every connection of the main pool runs with: each statement and lock wait bounded, and an
 * idle transaction ended. Directly they are startup parameters of each connection; behind a transaction pooler
 * (which refuses them: PgBouncer 1.18 closes the connection on "unsupported startup parameter") the pooler's
 * server connections carry them (the stack renders them into PgBouncer's connect_query from this same function).
 */
export function sessionSettings(env: SessionEnv) {
  return {
    statement_timeout: env.PG_STATEMENT_TIMEOUT_MS,
    lock_timeout: env.PG_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: env.PG_STATEMENT_TIMEOUT_MS * 2,
  };
}

/** What changes behind a transaction pooler: unnamed statements, no session settings at connect. */
function poolingOptions(env: Pick<Env, 'PG_TRANSACTION_POOLING'> & SessionEnv): pg.PoolConfig {
  return env.PG_TRANSACTION_POOLING === 'on' ? { Client: UnnamedStatementsClient } : sessionSettings(env);
}

/**
 * The replica's Postgres pool, each checkout timed for `observer`. `connectionTimeoutMillis` bounds both opening a
 * connection and waiting for a busy pool, so an exhausted pool fails fast instead of queueing forever;
 * `statement_timeout` bounds every query on the server and `query_timeout` (a little longer) on the client in case
 * the server cannot even answer. With PG_TRANSACTION_POOLING=on (DATABASE_URL is PgBouncer in transaction mode)
 * the statements go unnamed and the session settings are left to the pooler (`sessionSettings`).
 */
export function createPool(
  env: Pick<
    Env,
    | 'DATABASE_URL'
    | 'PG_POOL_MAX'
    | 'PG_POOL_TIMEOUT_MS'
    | 'PG_STATEMENT_TIMEOUT_MS'
    | 'PG_TRANSACTION_POOLING'
    | 'INSTANCE_ID'
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
      ...poolingOptions(env),
      query_timeout: env.PG_STATEMENT_TIMEOUT_MS + 1000,
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
export function createProbePool(
  env: Pick<Env, 'DATABASE_URL' | 'READY_TIMEOUT_MS' | 'INSTANCE_ID' | 'PG_TRANSACTION_POOLING'>,
) {
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: 1,
    connectionTimeoutMillis: env.READY_TIMEOUT_MS,
    idleTimeoutMillis: 60_000,
    // A startup parameter a transaction pooler refuses; the client-side query_timeout bounds the probe there.
    ...(env.PG_TRANSACTION_POOLING === 'on' ? {} : { statement_timeout: env.READY_TIMEOUT_MS }),
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
 * connections, 57P01-57P03 shutting down or starting up; PgBouncer's 08P01 (query_wait_timeout: its pool stayed
 * full; anything else: it cannot reach Postgres).
 */
export function databaseUnavailable(err: unknown) {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: string }).code;
  // PgBouncer's own: no server connection came free within its query_wait_timeout (the stack sets it to the pool's).
  if (
    err.message.startsWith('timeout exceeded when trying to connect') ||
    err.message === 'query_wait_timeout'
  ) {
    return serviceUnavailable('DB_POOL_EXHAUSTED', 'every database connection is busy; retry shortly');
  }
  if (code === '57014' || code === '55P03' || err.message === 'Query read timeout') {
    return serviceUnavailable('DB_TIMEOUT', 'the database did not answer in time; retry shortly');
  }
  // 08P01 from PgBouncer (PG_TRANSACTION_POOLING): its own refusals, e.g. "server login has been failing, try again
  // later" while Postgres is down or just back.
  if (
    code === '53300' ||
    code === '08P01' ||
    code?.startsWith('57P') ||
    (code !== undefined && UNREACHABLE_CODES.has(code))
  ) {
    return serviceUnavailable('DB_UNAVAILABLE', 'the database is unavailable; retry shortly');
  }
  if (err.message === 'Connection terminated unexpectedly' || err.message.includes('Connection terminated')) {
    return serviceUnavailable('DB_UNAVAILABLE', 'the database connection was lost; retry shortly');
  }
  return undefined;
}
