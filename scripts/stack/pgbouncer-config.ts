import { sessionSettings } from '../../services/api/src/db/pool';
import type { Env } from '../../services/api/src/env';

/**
 * PgBouncer's configuration for the stack (PGBOUNCER=on), rendered from the topology and the replicas' own
 * settings, with no I/O: the native stack writes it to `.stack/pgbouncer/pgbouncer.ini`, and the compose test holds
 * docker-compose.yml's pgbouncer service against the same values.
 *
 * Transaction pooling: a server connection is lent to a client for one transaction, so at most `poolSize` Postgres
 * connections serve every replica's pool. What a session would carry therefore lives on the server connections:
 * the replicas' statement, lock and idle-transaction timeouts are set by `connect_query` on each new one (a client
 * may not send them at connect: PgBouncer 1.18 refuses unknown startup parameters), and the replicas send no named
 * statements (PG_TRANSACTION_POOLING=on, services/api/src/db/pool.ts).
 */
export interface PgbouncerVars {
  listenHost: string;
  listenPort: number;
  postgresHost: string;
  postgresPort: number;
  database: string;
  poolSize: number;
  /** userlist.txt's path (trust auth still needs the user listed). */
  authFile: string;
  /** The replicas' settings, as they read them (services/api/src/env.ts). */
  api: Pick<Env, 'PG_STATEMENT_TIMEOUT_MS' | 'PG_POOL_TIMEOUT_MS'>;
}

/** `SET statement_timeout = 5000; ...`: the replicas' session settings, for every server connection. */
export function connectQuery(api: PgbouncerVars['api']): string {
  return Object.entries(sessionSettings(api))
    .map(([name, value]) => `SET ${name} = ${value}`)
    .join('; ');
}

/**
 * pgbouncer.ini. Example: `renderPgbouncerIni({ listenHost: '127.0.0.1', listenPort: 56432, ..., poolSize: 20 })`.
 */
export function renderPgbouncerIni(v: PgbouncerVars): string {
  const db = `host=${v.postgresHost} port=${v.postgresPort} dbname=${v.database}`;
  return [
    '; Rendered by scripts/stack/pgbouncer-config.ts (natively by `make up PGBOUNCER=on`; docker-compose.yml holds a copy).',
    '[databases]',
    `${v.database} = ${db} connect_query='${connectQuery(v.api)}'`,
    '',
    '[pgbouncer]',
    `listen_addr = ${v.listenHost}`,
    `listen_port = ${v.listenPort}`,
    '; TCP only: no socket file to clean up.',
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${v.authFile}`,
    'pool_mode = transaction',
    '; At most this many Postgres connections for the database, whatever the number of replicas and their pools.',
    `default_pool_size = ${v.poolSize}`,
    `max_db_connections = ${v.poolSize}`,
    'reserve_pool_size = 0',
    '; 16 replicas of 10 + 1 connections fit; each client costs PgBouncer a file descriptor only.',
    'max_client_conn = 500',
    "; A client waits for a server connection as long as a replica's own pool would (PG_POOL_TIMEOUT_MS), then",
    '; fails with query_wait_timeout, which the replica answers as 503 DB_POOL_EXHAUSTED: no request hangs (the',
    '; default is 120 s).',
    `query_wait_timeout = ${v.api.PG_POOL_TIMEOUT_MS / 1000}`,
    '; Back within a second of a Postgres outage (default 15 s); until then clients fail at once.',
    'server_login_retry = 1',
    'server_connect_timeout = 5',
    '; SHOW POOLS and SHOW STATS on the admin console (database pgbouncer).',
    'admin_users = postgres',
    'stats_users = postgres',
    '',
  ].join('\n');
}

/** userlist.txt: the one user the stack connects as, with no password (trust, loopback only). */
export const PGBOUNCER_USERLIST = '"postgres" ""\n';
