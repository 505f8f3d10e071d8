/**
 * Requests/s of a cached `GET /api/users/:id` on one replica against a bare Hono handler answering the same body,
 * measured by the same tool (autocannon) at the same concurrency, alternating rounds so machine noise hits both.
 *
 *   npm run bench:api -- [--seconds 10] [--connections 50] [--rounds 3] [--profile DIR]
 *
 * Starts its own Postgres, Redis, replica and bare servers on free ports under a temporary directory, reads a new
 * user until the read is a cache hit, fails unless every measured read of it is a hit, and stops everything it
 * started at the end, also on failure. Besides the rate it reports each server's CPU time per request, read from
 * /proc: on a shared machine the rate moves with whatever else runs, the CPU a request costs much less. CI runs it
 * in a tiny form (bench/benches.test.ts).
 */
import { freePort } from '../scripts/lib/ports';
import { startService } from '../scripts/lib/process';
import { benchOptions, cpuSeconds, load, median } from './support/load';
import { startCachedReplica } from './support/replica';
import { benchScope, ready } from './support/scope';

const { seconds, connections, rounds, flags } = benchOptions({
  // Write a V8 CPU profile of the replica into this directory (open it in Chrome DevTools).
  profile: { type: 'string' },
});

const scope = benchScope('swarmgate-bench-');
try {
  const replica = await startCachedReplica(scope, { profileDir: flags.profile });
  const before = await replica.cacheCounts();

  async function bareServer(name: string, extraEnv: Record<string, string>) {
    const port = await freePort();
    const service = scope.add(
      startService(name, process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
        env: { ...process.env, PORT: String(port), BODY: replica.body, ...extraEnv },
      }),
    );
    const url = `http://127.0.0.1:${port}/user`;
    await ready(service, url);
    return { url, pid: service.child.pid! };
  }

  const targets = {
    bare: await bareServer('bare', {}),
    'bare+redis': await bareServer('bare+redis', { REDIS_URL: `redis://127.0.0.1:${replica.redisPort}` }),
    cached: { url: `${replica.base}${replica.userPath}`, pid: replica.service.child.pid! },
  };
  type Target = keyof typeof targets;
  const names = Object.keys(targets) as Target[];
  const rps: Record<Target, number[]> = { bare: [], 'bare+redis': [], cached: [] };
  const p99: Record<Target, number[]> = { bare: [], 'bare+redis': [], cached: [] };
  const cpuUs: Record<Target, number[]> = { bare: [], 'bare+redis': [], cached: [] };
  console.error(`bench: ${rounds} rounds of ${seconds}s at ${connections} connections, alternating`);
  let cachedReads = 0;
  const measure = async (name: Target) => {
    const cpuBefore = cpuSeconds([targets[name].pid]);
    const result = await load(name, targets[name].url, { connections, seconds });
    const cpu = cpuSeconds([targets[name].pid]);
    if (name === 'cached') cachedReads += result['2xx'];
    return { result, cpuUs: cpu === undefined ? NaN : ((cpu - cpuBefore!) * 1e6) / result['2xx'] };
  };
  for (const name of names) await measure(name); // warm-up: every process's JIT
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const { result, cpuUs: us } = await measure(name);
      rps[name].push(result.requests.average);
      p99[name].push(result.latency.p99);
      cpuUs[name].push(us);
      console.error(
        `  round ${r + 1} ${name}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ` +
          `${us.toFixed(1)} µs CPU/request`,
      );
    }
  }
  // What matters is that every measured read was a hit: the replica's own counts.
  await replica.expectAllHits(before, cachedReads);

  const pct = (a: Target, b: Target) => `${((100 * median(rps[a])) / median(rps[b])).toFixed(1)}%`;
  const row = (label: string, t: Target) =>
    `| ${label} | ${Math.round(median(rps[t]))} | ${median(p99[t])} | ${median(cpuUs[t]).toFixed(1)} |`;
  console.log(
    [
      '| target | req/s (median of rounds) | p99 ms (median) | server CPU µs/request (median) |',
      '|---|---|---|---|',
      row('bare Hono handler, same body', 'bare'),
      row('bare Hono handler + one Redis GET (the cache-aside floor)', 'bare+redis'),
      row('cached GET /api/users/:id, one replica', 'cached'),
      '',
      `cached / bare: ${pct('cached', 'bare')} (goal >= 60%)`,
      `cached / bare+redis: ${pct('cached', 'bare+redis')}`,
    ].join('\n'),
  );
} finally {
  await scope.stopAll();
}
