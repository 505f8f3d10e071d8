/**
 * Requests/s of a cached `GET /api/users/:id` on one replica against a bare Hono handler answering the same body,
 * measured by the same tool (autocannon) at the same concurrency, alternating rounds so machine noise hits both.
 *
 *   npm run bench:api -- [--seconds 10] [--connections 50] [--rounds 3] [--profile DIR]
 *
 * Starts its own Postgres, Redis, replica and bare servers on free ports under a temporary directory, reads a new
 * user until the read is a cache hit, fails unless every measured read of it is a hit, and stops everything it
 * started at the end, also on failure. CI runs it in a tiny form (bench/benches.test.ts).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, waitFor } from '../scripts/lib/ports';
import { startPostgres } from '../scripts/lib/postgres';
import { type Service, startService } from '../scripts/lib/process';
import { startRedis } from '../scripts/lib/redis';
import { runMigrations } from '../services/api/src/db/migrate';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    // Write a V8 CPU profile of the replica into this directory (open it in Chrome DevTools).
    profile: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
for (const [flag, v] of Object.entries({ seconds, connections, rounds })) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench: --${flag} must be a positive integer`);
    process.exit(2);
  }
}

const root = mkdtempSync(join(tmpdir(), 'swarmgate-bench-'));
chmodSync(root, 0o755);
const services: Service[] = [];
// Safe to call twice (a signal during the `finally` below): each service is stopped once, newest first.
const stopAll = async () => {
  for (const s of services.splice(0).reverse()) await s.stop('SIGTERM', 5000);
  rmSync(root, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void stopAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143)));

/** Waits until `url` answers 2xx; fails with the service's output if it exits first or never answers. */
async function ready(service: Service, url: string) {
  const exited = () => service.child.exitCode !== null || service.child.signalCode !== null;
  try {
    await waitFor(service.name, async () => exited() || (await fetch(url)).ok, 30_000);
    if (exited()) throw new Error(`${service.name} exited`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${service.name} said:\n${service.output()}`);
  }
}

function shot(url: string) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, pipelining: 1 }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

try {
  const pg = await startPostgres({
    dataDir: join(root, 'pg'),
    port: await freePort(),
    database: 'bench',
    ephemeral: true,
  });
  services.push(pg);
  const redisPort = await freePort();
  services.push(await startRedis({ port: redisPort, dir: root }));
  await runMigrations(pg.url);

  const apiPort = await freePort();
  const profiling = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const api = startService(
    'api',
    process.execPath,
    [...profiling, '--import', 'tsx', 'services/api/src/index.ts'],
    {
      env: {
        ...process.env,
        PORT: String(apiPort),
        INSTANCE_ID: 'bench1',
        DATABASE_URL: pg.url,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        LOG_LEVEL: 'warn',
      },
    },
  );
  services.push(api);
  const apiBase = `http://127.0.0.1:${apiPort}`;
  await ready(api, `${apiBase}/ready`);
  const created = await fetch(`${apiBase}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench.${Date.now()}@example.test`, name: 'Benchmark User' }),
  });
  if (created.status !== 201) throw new Error(`creating the user: ${created.status} ${await created.text()}`);
  const user = (await created.json()) as { id: number };
  // Cache-aside: creating a user leaves the cache alone and a read fills it. Reading until a read is a hit, rather
  // than exactly twice, keeps this from depending on when and how the service fills its cache.
  const userUrl = `${apiBase}/api/users/${user.id}`;
  let body = '';
  let lastCache: string | null = null;
  await waitFor(
    'a cached read of the new user',
    async () => {
      const read = await fetch(userUrl);
      body = await read.text();
      lastCache = read.headers.get('x-cache');
      if (!read.ok) throw new Error(`GET ${userUrl}: ${read.status} ${body}`);
      return lastCache === 'HIT';
    },
    15_000,
    100,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last X-Cache: ${lastCache})`);
  });
  // What matters is that every measured read is a hit: the replica's own counts, compared after the rounds.
  const cacheCounts = async () => {
    const res = await fetch(`${apiBase}/api/system/overview`);
    if (!res.ok) throw new Error(`GET /api/system/overview: ${res.status}`);
    return ((await res.json()) as { cache: { hits: number; misses: number; bypass: number } }).cache;
  };
  const before = await cacheCounts();

  async function bareServer(name: string, extraEnv: Record<string, string>) {
    const port = await freePort();
    services.push(
      startService(name, process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
        env: { ...process.env, PORT: String(port), BODY: body, ...extraEnv },
      }),
    );
    const url = `http://127.0.0.1:${port}/user`;
    await ready(services.at(-1)!, url);
    return url;
  }

  const targets = {
    bare: await bareServer('bare', {}),
    'bare+redis': await bareServer('bare+redis', { REDIS_URL: `redis://127.0.0.1:${redisPort}` }),
    cached: userUrl,
  };
  type Target = keyof typeof targets;
  const rps: Record<Target, number[]> = { bare: [], 'bare+redis': [], cached: [] };
  const p99: Record<Target, number[]> = { bare: [], 'bare+redis': [], cached: [] };
  console.error(`bench: ${rounds} rounds of ${seconds}s at ${connections} connections, alternating`);
  let cachedReads = 0;
  const measure = async (name: Target) => {
    const result = await shot(targets[name]);
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    if (name === 'cached') cachedReads += result['2xx'];
    return result;
  };
  for (const name of Object.keys(targets) as Target[]) await measure(name); // warm-up: every process's JIT
  for (let r = 0; r < rounds; r++) {
    for (const name of Object.keys(targets) as Target[]) {
      const result = await measure(name);
      rps[name].push(result.requests.average);
      p99[name].push(result.latency.p99);
      console.error(
        `  round ${r + 1} ${name}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms`,
      );
    }
  }
  const after = await cacheCounts();
  const hits = after.hits - before.hits;
  if (after.misses !== before.misses || after.bypass !== before.bypass || hits < cachedReads) {
    throw new Error(
      `the cached target was not all cache hits: ${cachedReads} reads, ${hits} hits, ` +
        `${after.misses - before.misses} misses, ${after.bypass - before.bypass} bypasses`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const pct = (a: Target, b: Target) => `${((100 * median(rps[a])) / median(rps[b])).toFixed(1)}%`;
  const row = (label: string, t: Target) =>
    `| ${label} | ${Math.round(median(rps[t]))} | ${median(p99[t])} |`;
  console.log(
    [
      '| target | req/s (median of rounds) | p99 ms (median) |',
      '|---|---|---|',
      row('bare Hono handler, same body', 'bare'),
      row('bare Hono handler + one Redis GET (the cache-aside floor)', 'bare+redis'),
      row('cached GET /api/users/:id, one replica', 'cached'),
      '',
      `cached / bare: ${pct('cached', 'bare')} (goal >= 50%)`,
      `cached / bare+redis: ${pct('cached', 'bare+redis')}`,
    ].join('\n'),
  );
} finally {
  await stopAll();
}
