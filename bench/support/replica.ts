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
  /** Postgres's URL, shared with any replica started by `startAnotherReplica`. */
  databaseUrl: string;
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

export interface AnotherReplicaOptions extends CachedReplicaOptions {
  /** A checkout of this repository (its own node_modules, or a symlink to ours) whose services/api to run. */
  checkout: string;
  /** INSTANCE_ID and the name in messages; default `bench2`. */
  name?: string;
}

/** Starts `services/api/src/index.ts` of `checkout` (cwd) against Postgres and Redis; resolves once it is ready. */
async function startApi(
  scope: BenchScope,
  o: {
    checkout: string;
    name: string;
    databaseUrl: string;
    redisPort: number;
    profileDir?: string | undefined;
  },
) {
  const port = await freePort();
  const profiling = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  const service = scope.add(
    startService(o.name, process.execPath, [...profiling, '--import', 'tsx', 'services/api/src/index.ts'], {
      cwd: o.checkout,
      env: {
        ...process.env,
        // The replica's bind address, whatever a shell exported (load_test.sh reads HOST as its target URL).
        HOST: '127.0.0.1',
        PORT: String(port),
        INSTANCE_ID: o.name,
        DATABASE_URL: o.databaseUrl,
        REDIS_URL: `redis://127.0.0.1:${o.redisPort}`,
        LOG_LEVEL: 'warn',
        // 250 ms by default: on a machine at load 12 a few of ~70,000 MGETs took longer, read as a bypass (to
        // Postgres), and failed the all-hits check of a whole run. What is measured is a hit, not the timeout.
        REDIS_COMMAND_TIMEOUT_MS: '1000',
      },
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await ready(service, `${base}/ready`);
  return { service, port, base };
}

/** Reads `userPath` from `base` until the read is a cache HIT; returns the body. */
async function readUntilHit(base: string, userPath: string) {
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
  return body;
}

/** What `expectAllHits` and `cacheCounts` need: a replica's /api/system/overview, read from `base`. */
function hitChecks(base: string) {
  const cacheCounts = async () => {
    const res = await fetch(`${base}/api/system/overview`);
    if (!res.ok) throw new Error(`GET /api/system/overview: ${res.status}`);
    return ((await res.json()) as { cache: CacheCounts }).cache;
  };
  return {
    cacheCounts,
    async expectAllHits(before: CacheCounts, reads: number) {
      const after = await cacheCounts();
      const hits = after.hits - before.hits;
      if (after.misses !== before.misses || after.bypass !== before.bypass || hits < reads) {
        throw new Error(
          `the cached target at ${base} was not all cache hits: ${reads} reads, ${hits} hits, ` +
            `${after.misses - before.misses} misses, ${after.bypass - before.bypass} bypasses`,
        );
      }
    },
  };
}

/**
 * A second replica, of another checkout's services/api (`checkout`: e.g. `git worktree add /tmp/before <commit>`
 * with node_modules symlinked to this repository's), against `first`'s Postgres and Redis, reading the same user
 * until its read is a hit too. So that two versions of the service are measured in the same rounds of one run:
 * on a shared machine only figures from one run compare.
 */
export async function startAnotherReplica(
  scope: BenchScope,
  first: CachedReplica,
  { checkout, name = 'bench2', profileDir }: AnotherReplicaOptions,
): Promise<CachedReplica> {
  const api = await startApi(scope, {
    checkout,
    name,
    databaseUrl: first.databaseUrl,
    redisPort: first.redisPort,
    profileDir,
  });
  const body = await readUntilHit(api.base, first.userPath);
  return { ...first, ...api, body, ...hitChecks(api.base) };
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

  const api = await startApi(scope, {
    checkout: process.cwd(),
    name: 'bench1',
    databaseUrl: pg.url,
    redisPort,
    profileDir,
  });
  const created = await fetch(`${api.base}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench.${Date.now()}@example.test`, name: 'Benchmark User' }),
  });
  if (created.status !== 201) throw new Error(`creating the user: ${created.status} ${await created.text()}`);
  const userPath = `/api/users/${((await created.json()) as { id: number }).id}`;
  const body = await readUntilHit(api.base, userPath);
  return { ...api, databaseUrl: pg.url, redisPort, userPath, body, ...hitChecks(api.base) };
}
