/**
 * Requests/s of a cached `GET /api/users/:id` on one replica against a bare Hono handler answering the same body,
 * measured by the same tool (autocannon) at the same concurrency, alternating rounds so machine noise hits both.
 *
 *   npm run bench:api -- [--seconds 10] [--connections 50] [--rounds 3] [--rate 0] [--profile DIR] [--compare CHECKOUT]
 *
 * Starts its own Postgres, Redis, replica and bare servers on free ports under a temporary directory, reads a new
 * user until the read is a cache hit, fails unless every measured read of it is a hit, and stops everything it
 * started at the end, also on failure. Besides the rate it reports each server's CPU time per request, read from
 * /proc: on a shared machine the rate moves with whatever else runs, the CPU a request costs much less. CI runs it
 * in a tiny form (bench/benches.test.ts).
 *
 * `--compare CHECKOUT` also starts a replica of another checkout's services/api (say the commit before a change:
 * `git worktree add /tmp/before <commit>` and `ln -s "$PWD/node_modules" /tmp/before/node_modules`) against the
 * same Postgres, Redis and user, and measures it in the same alternating rounds, as a fourth row.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../scripts/lib/ports';
import { startService } from '../scripts/lib/process';
import { benchOptions, cpuSeconds, load, median } from './support/load';
import { type CachedReplica, startAnotherReplica, startCachedReplica } from './support/replica';
import { benchScope, ready } from './support/scope';

const { seconds, connections, rounds, rate, flags } = benchOptions({
  // Write a V8 CPU profile of the replica into this directory (open it in Chrome DevTools).
  profile: { type: 'string' },
  // Another checkout of this repository whose replica is measured beside this one's.
  compare: { type: 'string' },
});
if (flags.compare !== undefined && !existsSync(join(flags.compare, 'services/api/src/index.ts'))) {
  console.error(
    `bench: --compare ${flags.compare} is not a checkout of this repository (no services/api/src/index.ts)`,
  );
  process.exit(2);
}

type Target = 'bare' | 'bare+redis' | 'cached' | 'compare';

const scope = benchScope('swarmgate-bench-');
try {
  const replica = await startCachedReplica(scope, { profileDir: flags.profile });
  const other = flags.compare
    ? await startAnotherReplica(scope, replica, { checkout: flags.compare, profileDir: flags.profile })
    : undefined;
  const replicas: Partial<Record<Target, CachedReplica>> = { cached: replica, compare: other };
  const before = new Map<CachedReplica, Awaited<ReturnType<CachedReplica['cacheCounts']>>>();
  for (const r of [replica, other]) if (r) before.set(r, await r.cacheCounts());

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

  const asTarget = (r: CachedReplica) => ({ url: `${r.base}${r.userPath}`, pid: r.service.child.pid! });
  const targets: Partial<Record<Target, { url: string; pid: number }>> = {
    bare: await bareServer('bare', {}),
    'bare+redis': await bareServer('bare+redis', { REDIS_URL: `redis://127.0.0.1:${replica.redisPort}` }),
    cached: asTarget(replica),
    ...(other ? { compare: asTarget(other) } : {}),
  };
  const names = (['bare', 'bare+redis', 'cached', 'compare'] as const).filter((t) => targets[t]);
  const series = () => Object.fromEntries(names.map((t) => [t, [] as number[]])) as Record<Target, number[]>;
  const [rps, p99, cpuUs] = [series(), series(), series()];
  console.error(
    `bench: ${rounds} rounds of ${seconds}s at ${connections} connections${rate ? `, ${rate} req/s` : ''}, alternating`,
  );
  const reads = new Map<CachedReplica, number>();
  const measure = async (name: Target) => {
    const { url, pid } = targets[name]!;
    const cpuBefore = cpuSeconds([pid]);
    const result = await load(name, url, { connections, seconds, rate });
    const cpu = cpuSeconds([pid]);
    const r = replicas[name];
    if (r) reads.set(r, (reads.get(r) ?? 0) + result['2xx']);
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
  // What matters is that every measured read was a hit: each replica's own counts.
  for (const [r, counts] of before) await r.expectAllHits(counts, reads.get(r) ?? 0);

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
      ...(other ? [row(`cached GET /api/users/:id, one replica of ${flags.compare}`, 'compare')] : []),
      '',
      `cached / bare: ${pct('cached', 'bare')} (goal >= 60%)`,
      `cached / bare+redis: ${pct('cached', 'bare+redis')}`,
      ...(other
        ? [
            `${flags.compare}: cached / bare ${pct('compare', 'bare')}; this checkout / it: ${pct('cached', 'compare')}`,
            `server CPU µs/request, this checkout minus ${flags.compare} (median of the rounds' differences): ` +
              median(cpuUs.cached.map((us, i) => us - cpuUs.compare[i]!)).toFixed(1),
          ]
        : []),
    ].join('\n'),
  );
} finally {
  await scope.stopAll();
}
