/**
 * Requests/s of a cached `GET /api/users/:id` on one replica against a bare Hono handler answering the same body,
 * measured by the same tool (autocannon) at the same concurrency, alternating rounds so machine noise hits both.
 *
 *   npm run bench:api -- [--seconds 10] [--connections 50] [--rounds 3] [--profile DIR]
 *
 * Starts its own Postgres, Redis, replica and bare server on free ports under a temporary directory, and stops
 * them all at the end.
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
const stopAll = async () => {
  for (const s of services.reverse()) await s.stop('SIGTERM', 5000);
  rmSync(root, { recursive: true, force: true });
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

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
  await waitFor('the replica', async () => (await fetch(`${apiBase}/ready`)).ok, 30_000);
  const created = await fetch(`${apiBase}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench.${Date.now()}@example.test`, name: 'Benchmark User' }),
  });
  const user = (await created.json()) as { id: number };
  const read = await fetch(`${apiBase}/api/users/${user.id}`);
  const body = await read.text();
  if (read.headers.get('x-cache') !== 'HIT')
    throw new Error(`expected a cached read, got ${read.headers.get('x-cache')}`);

  async function bareServer(name: string, extraEnv: Record<string, string>) {
    const port = await freePort();
    services.push(
      startService(name, process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
        env: { ...process.env, PORT: String(port), BODY: body, ...extraEnv },
      }),
    );
    const url = `http://127.0.0.1:${port}/user`;
    await waitFor(name, async () => (await fetch(url)).ok, 30_000);
    return url;
  }

  const targets = {
    bare: await bareServer('bare', {}),
    'bare+redis': await bareServer('bare+redis', { REDIS_URL: `redis://127.0.0.1:${redisPort}` }),
    cached: `${apiBase}/api/users/${user.id}`,
  };
  type Target = keyof typeof targets;
  const rps: Record<Target, number[]> = { bare: [], 'bare+redis': [], cached: [] };
  const p99: Record<Target, number[]> = { bare: [], 'bare+redis': [], cached: [] };
  console.error(`bench: ${rounds} rounds of ${seconds}s at ${connections} connections, alternating`);
  for (const url of Object.values(targets)) await shot(url); // warm-up: every process's JIT
  for (let r = 0; r < rounds; r++) {
    for (const name of Object.keys(targets) as (keyof typeof targets)[]) {
      const result = await shot(targets[name]);
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      rps[name].push(result.requests.average);
      p99[name].push(result.latency.p99);
      console.error(
        `  round ${r + 1} ${name}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms`,
      );
    }
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
