import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { waitFor } from './ports';
import { type Service, startService } from './process';

/**
 * Where the PostgreSQL server binaries are: $PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian), else
 * whatever `initdb` is on the PATH (Homebrew and most other systems).
 */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..');
  throw new Error(
    'PostgreSQL server binaries not found; install them with: apt-get install -y postgresql (or set PG_BIN)',
  );
}

/** Postgres refuses to run as root, so as root the server runs as the `postgres` user (made by the Debian package). */
export function postgresRunAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0) {
    throw new Error(
      'running as root needs a "postgres" user for the database server: apt-get install -y postgresql',
    );
  }
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Trade durability for speed (fsync off): for throwaway test clusters only. */
  ephemeral?: boolean;
}

export interface RunningPostgres extends Service {
  url: string;
}

/**
 * Creates a cluster in `dataDir` (superuser `postgres`, trust auth, UTF8, C locale) unless one is already there.
 * As root, the directory is handed to the `postgres` user first. `ephemeral` skips the fsyncs of initdb.
 */
export function initCluster(dataDir: string, ephemeral = false): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const user = postgresRunAs();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const init = spawnSync(
    join(postgresBin(), 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      ...(ephemeral ? ['--no-sync'] : []),
    ],
    { encoding: 'utf8', ...user },
  );
  if (init.status !== 0) throw new Error(`initdb failed in ${dataDir}:\n${init.stderr || init.stdout}`);
}

/**
 * The `postgres` arguments for a server on 127.0.0.1:`port` whose socket lives in its own data directory, taking
 * `maxConnections` clients (200 by default).
 */
export function postgresArgs(
  dataDir: string,
  port: number,
  ephemeral = false,
  maxConnections = 200,
): string[] {
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${dataDir}`,
    `max_connections=${maxConnections}`,
  ];
  if (ephemeral) settings.push('fsync=off', 'synchronous_commit=off', 'full_page_writes=off');
  return ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])];
}

/** Connects as `postgres` to the server on `port` and creates `database` if it does not exist yet. */
export async function ensureDatabase(port: number, database: string, host = '127.0.0.1'): Promise<void> {
  const client = new pg.Client({
    connectionString: `postgres://postgres@${host}:${port}/postgres`,
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the cluster in `dataDir` if it is new, starts it on 127.0.0.1:`port`, and creates `database`. */
export async function startPostgres({
  dataDir,
  port,
  database,
  ephemeral = false,
}: PostgresOptions): Promise<RunningPostgres> {
  initCluster(dataDir, ephemeral);
  const service = startService(
    'postgres',
    join(postgresBin(), 'postgres'),
    postgresArgs(dataDir, port, ephemeral),
    {
      aptPackage: 'postgresql',
      ...postgresRunAs(),
    },
  );
  try {
    await waitFor(
      `postgres on port ${port}`,
      async () => {
        if (service.child.exitCode !== null) throw new Error(`postgres exited:\n${service.output()}`);
        await ensureDatabase(port, database);
        return true;
      },
      30_000,
    );
  } catch (err) {
    await service.stop('SIGKILL');
    throw err;
  }
  return { ...service, url: `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}` };
}
