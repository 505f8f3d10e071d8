import { join } from 'node:path';
import { freePort, waitFor } from '../../scripts/lib/ports';
import { startPostgres } from '../../scripts/lib/postgres';
import { type Service, startService } from '../../scripts/lib/process';
import { startRedis } from '../../scripts/lib/redis';
import { runMigrations } from '../../services/api/src/db/migrate';
import { type BenchScope, ready } from './scope';

type CacheCounts = { hits: number; misses: number; bypass: number };

/** One replica on its own Postgres and Redis, with a user whose read is a cache hit. */
export interface CachedReplica {
  service: Service;
  port: number;
  /** `http://127.0.0.1:<port>` */
  base: string;
  redisPort: number;
  /** `/api/users/<id>` of the user, and the JSON body a read of it answers. */
  userPath: string;
  body: string;
  /** The replica's own cache counts (`/api/system/overview`). */
  cacheCounts(): Promise<CacheCounts>;
  /** Throws unless every read since `before` was a hit, and at least `reads` of them were. */
  expectAllHits(before: CacheCounts, reads: number): Promise<void>;
}

export interface CachedReplicaOptions {
  /** Write a V8 CPU profile of the replica into this directory. */
  profileDir?: string | undefined;
}

/**
 * Starts Postgres, Redis and one replica (`services/api`, `LOG_LEVEL=warn`) on free ports under `scope.root`,
 * creates a user and reads it until a read is a cache HIT (creating a user leaves the cache alone and a read fills
 * it; reading until a hit, rather than exactly twice, keeps this from depending on when the service fills).
 */
export async function startCachedReplica(
  scope: BenchScope,
  { profileDir }: CachedReplicaOptions = {},
): Promise<CachedReplica> {
  const pg = await startPostgres({
    dataDir: join(scope.root, 'pg'),
    port: await freePort(),
    database: 'bench',
    ephemeral: true,
  });
  scope.add(pg);
  const redisPort = await freePort();
  scope.add(await startRedis({ port: redisPort, dir: scope.root }));
  await runMigrations(pg.url);

  const port = await freePort();
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const service = scope.add(
    startService('api', process.execPath, [...profiling, '--import', 'tsx', 'services/api/src/index.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        INSTANCE_ID: 'bench1',
        DATABASE_URL: pg.url,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        LOG_LEVEL: 'warn',
      },
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await ready(service, `${base}/ready`);

  const created = await fetch(`${base}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench.${Date.now()}@example.test`, name: 'Benchmark User' }),
  });
  if (created.status !== 201) throw new Error(`creating the user: ${created.status} ${await created.text()}`);
  const userPath = `/api/users/${((await created.json()) as { id: number }).id}`;
  let body = '';
  let lastCache: string | null = null;
  await waitFor(
    'a cached read of the new user',
    async () => {
      const read = await fetch(`${base}${userPath}`);
      body = await read.text();
      lastCache = read.headers.get('x-cache');
      if (!read.ok) throw new Error(`GET ${userPath}: ${read.status} ${body}`);
      return lastCache === 'HIT';
    },
    15_000,
    100,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last X-Cache: ${lastCache})`);
  });

  const cacheCounts = async () => {
    const res = await fetch(`${base}/api/system/overview`);
    if (!res.ok) throw new Error(`GET /api/system/overview: ${res.status}`);
    return ((await res.json()) as { cache: CacheCounts }).cache;
  };
  return {
    service,
    port,
    base,
    redisPort,
    userPath,
    body,
    cacheCounts,
    async expectAllHits(before, reads) {
      const after = await cacheCounts();
      const hits = after.hits - before.hits;
      if (after.misses !== before.misses || after.bypass !== before.bypass || hits < reads) {
        throw new Error(
          `the cached target was not all cache hits: ${reads} reads, ${hits} hits, ` +
            `${after.misses - before.misses} misses, ${after.bypass - before.bypass} bypasses`,
        );
      }
    },
  };
}
