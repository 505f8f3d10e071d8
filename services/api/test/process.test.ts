import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { startService } from '../../../scripts/lib/process';
import { runMigrations } from '../src/db/migrate';
import { bodyOf, emptyDatabase, freshDatabase, type OwnRedis, ownRedis } from './support/harness';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Runs `npm run <script> -w services/api`'s command directly (without npm in between, so signals reach it). */
function startReplica(env: Record<string, string>) {
  return startService('api', process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: API_DIR,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
}

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('migrations', () => {
  it('are applied once when several replicas migrate at the same time', async () => {
    const url = await emptyDatabase();
    await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);

    const check = new pg.Client({ connectionString: url });
    await check.connect();
    const applied = await check.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    const table = await check.query("SELECT to_regclass('public.users') AS t");
    await check.end();
    expect(applied.rows[0].n).toBe(1);
    expect(table.rows[0].t).toBe('users');
  });

  it('db:migrate names a missing DATABASE_URL and exits 1', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/db/migrate-cli.ts'], {
      cwd: API_DIR,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    expect(await exitOf(child)).toBe(1);
    expect(err).toContain('DATABASE_URL');
  });
});

describe('a replica process', () => {
  let redis: OwnRedis;
  let databaseUrl: string;
  beforeAll(async () => {
    redis = await ownRedis();
    databaseUrl = await freshDatabase();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('refuses to start with a bad setting, naming it', async () => {
    const replica = startReplica({
      PORT: 'http',
      INSTANCE_ID: 'app1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
    });
    expect(await exitOf(replica.child)).toBe(1);
    expect(replica.output()).toMatch(/PORT: .*got "http"/);
  });

  it('serves, then on SIGTERM stops accepting, finishes in-flight requests and exits 0', async () => {
    const port = await freePort();
    const replica = startReplica({
      PORT: String(port),
      INSTANCE_ID: 'app7',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor('the replica to answer', async () => (await fetch(`${base}/health`)).ok, 20_000);
      const health = await fetch(`${base}/health`);
      expect(health.headers.get('x-instance')).toBe('app7');
      expect(await bodyOf(health)).toMatchObject({ status: 'ok', instance: 'app7' });

      // Hold a request in flight: the table is locked, so the list query waits.
      const locker = new pg.Client({ connectionString: databaseUrl });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const inFlight = fetch(`${base}/api/users`);
      // Asked outside the locking transaction: inside it pg_stat_activity is one frozen snapshot.
      const watcher = new pg.Client({ connectionString: databaseUrl });
      await watcher.connect();
      await waitFor('the query to wait on the lock', async () => {
        const r = await watcher.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
        );
        return r.rows[0].n > 0;
      });
      await watcher.end();

      replica.child.kill('SIGTERM');
      await waitFor('the listener to close', async () => {
        try {
          await fetch(`${base}/health`, { headers: { connection: 'close' } });
          return false;
        } catch {
          return true;
        }
      });
      await locker.query('ROLLBACK');
      await locker.end();

      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(answered.headers.get('connection')).toBe('close');
      expect(await exitOf(replica.child)).toBe(0);
      expect(replica.output()).toContain('"msg":"stopped"');
    } finally {
      await replica.stop('SIGKILL');
    }
  });
});
