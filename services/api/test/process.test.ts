import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../scripts/lib/ports';
import { startService } from '../../../scripts/lib/process';
import { runMigrations } from '../src/db/migrate';
import {
  bodyOf,
  emptyDatabase,
  freshDatabase,
  json,
  type OwnRedis,
  ownRedis,
  testApp,
  testEnv,
} from './support/harness';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Runs `npm run <script> -w services/api`'s command directly (without npm in between, so signals reach it). */
function startReplica(env: Record<string, string>) {
  return startService('api', process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: API_DIR,
    // HOST: the bind address, whatever a shell exported (load_test.sh reads HOST as its target URL).
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
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
    // Each migration of the journal applied once, however many ran it at the same time.
    const journal = JSON.parse(readFileSync(join(API_DIR, 'drizzle/meta/_journal.json'), 'utf8'));
    expect(applied.rows[0].n).toBe(journal.entries.length);
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

  /** A replica on a free port with this suite's Postgres and Redis, once `readyPath` answers 2xx. */
  async function servingReplica(instance: string, env: Record<string, string> = {}, readyPath = '/health') {
    const port = await freePort();
    const replica = startReplica({
      PORT: String(port),
      INSTANCE_ID: instance,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      ...env,
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the replica to answer', async () => (await fetch(`${base}${readyPath}`)).ok, 20_000);
    } catch (err) {
      await replica.stop('SIGKILL');
      throw err;
    }
    return { replica, port, base };
  }

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
    const { replica, base } = await servingReplica('app7');
    try {
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

  it('drops a write that waited past its deadline while the replica was frozen, so a later write stands', async () => {
    const { replica, base } = await servingReplica('frozen', { REQUEST_DEADLINE_MS: '1000' }, '/ready');
    const other = await testApp(testEnv(databaseUrl, redis.url, { INSTANCE_ID: 'other' }));
    try {
      const created = await other.app.request('/api/users', {
        method: 'POST',
        ...json({ email: `frozen.${Date.now()}@example.test`, name: 'W' }),
      });
      const user = await bodyOf(created);

      // The gateway stamps when it received the request; the replica is frozen with the PUT in its socket.
      replica.child.kill('SIGSTOP');
      const stale = fetch(`${base}/api/users/${user.id}`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          'if-match': '*',
          'x-request-start': `t=${(Date.now() / 1000).toFixed(3)}`,
        },
        body: JSON.stringify({ email: user.email, name: 'X' }),
      });
      // Past the frozen replica's deadline, a later write goes elsewhere and returns.
      await new Promise((r) => setTimeout(r, 1500));
      const later = await other.app.request(`/api/users/${user.id}`, {
        method: 'PUT',
        ...json({ email: user.email, name: 'Y' }, { 'if-match': '*' }),
      });
      expect(later.status).toBe(200);
      replica.child.kill('SIGCONT');

      const dropped = await stale;
      expect(dropped.status).toBe(503);
      expect((await bodyOf(dropped)).error.code).toBe('REQUEST_EXPIRED');
      const now = await bodyOf(await other.app.request(`/api/users/${user.id}`));
      expect(now).toMatchObject({ name: 'Y', version: 2 });
    } finally {
      replica.child.kill('SIGCONT');
      await replica.stop('SIGKILL');
      await other.deps.close();
    }
  });

  it('answers a request its HTTP parser refuses with a JSON 400, not an empty one', async () => {
    const { replica, port } = await servingReplica('parser');
    try {
      // A raw backslash: Node's parser takes it, the adapter cannot make a URL of it.
      for (const line of ['GET /api/users/\\1 HTTP/1.1', 'GET /api/users/1\x01 HTTP/1.1']) {
        const raw = await rawRequest(port, `${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
        expect(raw, line).toMatch(/^HTTP\/1\.1 400 /);
        expect(raw, line).toMatch(/content-type: application\/json/i);
        const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
        expect(body, line).toMatchObject({ error: { code: 'BAD_REQUEST' } });
      }
    } finally {
      await replica.stop('SIGKILL');
    }
  });
});

/** Sends bytes as they are (a client library would refuse to) and reads until the server closes. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let got = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (d) => {
      got += d.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
    socket.write(Buffer.from(text, 'latin1'));
  });
}
