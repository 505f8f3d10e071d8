import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { EnvError, loadEnv } from '../../../services/api/src/env';
import { stopDaemon } from '../../lib/daemon';
import { postgresRunAs } from '../../lib/postgres';
import { PGBOUNCER_USERLIST, renderPgbouncerIni } from '../pgbouncer-config';
import { findBinary, requireBinaries, StackError } from '../preflight';
import { replicaEnv } from '../topology';
import { partLine, say } from './lifecycle';
import { type Context, daemon, type Part } from './parts';

/**
 * PgBouncer in the native stack (PGBOUNCER=on): Debian's `pgbouncer`, in the foreground under our pid file, as the
 * `postgres` user when run as root (it refuses to run as root), between the replicas and Postgres.
 */
export const requirePgbouncerBinary = () => requireBinaries(['pgbouncer']);

/** What the replicas will read from their environment, so PgBouncer's timeouts are theirs. */
function replicaSettings(ctx: Context) {
  const first = ctx.topology.replicas[0]!;
  try {
    return loadEnv({ ...process.env, ...replicaEnv(ctx.topology, first, '127.0.0.1', ctx.settings) });
  } catch (err) {
    if (err instanceof EnvError) throw new StackError('pgbouncer', `the replicas' settings: ${err.message}`);
    throw err;
  }
}

/** Writes pgbouncer.ini and userlist.txt into `.stack/pgbouncer/`, readable by the user PgBouncer runs as. */
function renderFiles(ctx: Context): string {
  const { pgbouncer, postgres } = ctx.topology;
  const dir = ctx.paths.pgbouncerDir;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const authFile = join(dir, 'userlist.txt');
  writeFileSync(authFile, PGBOUNCER_USERLIST, { mode: 0o644 });
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    renderPgbouncerIni({
      listenHost: pgbouncer!.host,
      listenPort: pgbouncer!.port,
      postgresHost: postgres.host,
      postgresPort: postgres.port,
      database: postgres.database,
      poolSize: pgbouncer!.poolSize,
      authFile,
      api: replicaSettings(ctx),
    }),
    { mode: 0o644 },
  );
  return ini;
}

export function pgbouncerPart(ctx: Context): Part {
  const endpoint = ctx.topology.pgbouncer;
  if (!endpoint) throw new Error('pgbouncerPart: PGBOUNCER is off');
  const url = `postgres://postgres@${endpoint.host}:${endpoint.port}/${ctx.topology.postgres.database}`;
  return {
    name: 'pgbouncer',
    port: endpoint.port,
    portSetting: 'PGBOUNCER_PORT',
    // SIGINT: "safe shutdown", after the transactions in flight (SIGTERM drops them).
    stopSignal: 'SIGINT',
    start() {
      const ini = renderFiles(ctx);
      daemon(ctx, 'pgbouncer', { command: findBinary('pgbouncer')!, args: [ini], ...postgresRunAs() });
    },
    // Ready when a query goes through it to Postgres.
    async ready() {
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: 1000,
        query_timeout: 2000,
      });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}

/** Stops PgBouncer if an earlier `up PGBOUNCER=on` started it (PGBOUNCER=off now). */
export async function pgbouncerDown(ctx: Context): Promise<void> {
  if (await stopDaemon(ctx.paths.pidFile('pgbouncer'), 'SIGINT'))
    say(partLine('pgbouncer', 'stopped (PGBOUNCER=off)'));
}
