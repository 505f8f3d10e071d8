import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { freePort } from '../../../../scripts/lib/ports';
import type { Service } from '../../../../scripts/lib/process';
import { startRedis } from '../../../../scripts/lib/redis';
import { createApp } from '../../src/app';
import { runMigrations } from '../../src/db/migrate';
import { createDeps, type Deps } from '../../src/deps';
import { type Env, loadEnv } from '../../src/env';
import { createLogger } from '../../src/observability/logger';

/** A new, empty database on the run's Postgres. */
export async function emptyDatabase(): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return admin.replace(/\/postgres$/, `/${name}`);
}

/** A new, migrated database; each test file gets its own, so files never see each other. */
export async function freshDatabase(): Promise<string> {
  const url = await emptyDatabase();
  await runMigrations(url);
  return url;
}

/** A Redis of this test's own, so a test may stop and restart it. */
export async function ownRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'swarmgate-redis-'));
  const port = await freePort();
  let service: Service = await startRedis({ port, dir });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => service.stop('SIGKILL'),
    /** SIGSTOP / SIGCONT: Redis keeps its connections and data but answers nothing while frozen. */
    freeze: () => service.child.kill('SIGSTOP'),
    thaw: () => service.child.kill('SIGCONT'),
    async restart() {
      await service.stop('SIGKILL');
      service = await startRedis({ port, dir });
    },
    async close() {
      service.child.kill('SIGCONT');
      await service.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type OwnRedis = Awaited<ReturnType<typeof ownRedis>>;

/** The environment of a test replica; every setting can be overridden. */
export function testEnv(databaseUrl: string, redisUrl: string, overrides: Record<string, string> = {}): Env {
  return loadEnv({
    PORT: '1',
    INSTANCE_ID: 'test1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CACHE_SETTLE_MS: '1250',
    ...overrides,
  });
}

/** A replica's app on real Postgres and Redis, driven through `app.request()`. */
export async function testApp(env: Env) {
  const deps: Deps = createDeps(env, createLogger(env.LOG_LEVEL, env.INSTANCE_ID));
  await waitForRedis(deps);
  return { app: createApp(deps), deps };
}

/** Waits until Redis is connected and its epoch settled, so the first miss fills the cache as it would later. */
export async function waitForRedis(deps: Deps, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (deps.redis.status !== 'ready' || !deps.cache.settled()) {
    if (Date.now() > deadline) throw new Error(`redis not ready: ${deps.redis.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** A response's JSON, typed loosely: the assertions are what check its shape. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked by the assertions that read them
export const bodyOf = (res: Response): Promise<any> => res.json();
