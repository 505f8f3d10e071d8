/**
 * What the gateway costs: a cached `GET /api/users/:id` on one replica, read through nginx with the project's own
 * gateway configuration and read from the same replica directly, by the same tool (autocannon) at the same
 * concurrency, in alternating rounds so machine noise hits both.
 *
 *   npx --no-install tsx bench/gateway-overhead.ts [--seconds 10] [--connections 50] [--rounds 3] [--templates DIR]
 *
 * Starts its own Postgres, Redis, replica and nginx on free ports under a temporary directory; nginx runs the
 * templates of gateway/ rendered by the stack's renderer (scripts/stack/gateway-config.ts), access log included,
 * as `make up` would with one replica. `--templates DIR` renders another copy of gateway/ instead, to measure a
 * change before making it. Fails unless every measured read is a 2xx cache hit, and stops everything it started,
 * also on failure. Besides the rate it reports the CPU time per request of the replica and of nginx (master and
 * workers), read from /proc: on a shared machine the rate moves with whatever else runs, the CPU much less. CI runs
 * it in a tiny form (bench/benches.test.ts).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, waitFor } from '../scripts/lib/ports';
import { startService } from '../scripts/lib/process';
import { gatewayVars } from '../scripts/stack/gateway-config';
import { GATEWAY_TEMPLATES, renderGatewayConfig } from '../scripts/stack/native/gateway-files';
import { findBinary } from '../scripts/stack/preflight';
import { DEFAULT_INSPECT_ALLOW } from '../scripts/stack/settings';
import { cpuSeconds, load, median } from './support/load';
import { startCachedReplica } from './support/replica';
import { benchScope } from './support/scope';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    templates: { type: 'string', default: GATEWAY_TEMPLATES },
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
const nginxBinary = findBinary('nginx');
if (!nginxBinary) {
  console.error('bench: nginx is not installed (make setup, or apt-get install -y nginx-light)');
  process.exit(2);
}

const scope = benchScope('swarmgate-bench-gateway-');
try {
  const replica = await startCachedReplica(scope);
  const before = await replica.cacheCounts();

  // The stack's settings for one replica: round robin, GATEWAY_READ_TIMEOUT_S 10, inspection from loopback.
  const [gatewayPort, statusPort] = [await freePort(), await freePort()];
  const runDir = join(scope.root, 'nginx');
  const conf = join(runDir, 'conf');
  renderGatewayConfig(
    conf,
    gatewayVars({
      listen: `127.0.0.1:${gatewayPort}`,
      runDir,
      accessLog: join(runDir, 'access.log'),
      errorLog: join(runDir, 'error.log'),
      balance: 'round_robin',
      replicas: [{ name: 'app1', host: '127.0.0.1', port: replica.port }],
      readTimeoutS: 10,
      inspectAllow: DEFAULT_INSPECT_ALLOW,
      statusListen: `127.0.0.1:${statusPort}`,
    }),
    values.templates,
  );
  const nginx = scope.add(
    startService(
      'nginx',
      nginxBinary,
      [
        '-p',
        `${runDir}/`,
        '-c',
        join(conf, 'nginx.conf'),
        '-e',
        join(runDir, 'error.log'),
        '-g',
        'daemon off;',
      ],
      { aptPackage: 'nginx-light' },
    ),
  );
  const gatewayBase = `http://127.0.0.1:${gatewayPort}`;
  await waitFor('the gateway', async () => {
    if (nginx.child.exitCode !== null) throw new Error(`nginx exited:\n${nginx.output()}`);
    return (await fetch(`${gatewayBase}${replica.userPath}`)).ok;
  });

  const replicaPid = replica.service.child.pid!;
  const nginxPid = nginx.child.pid!;
  const targets = {
    direct: `${replica.base}${replica.userPath}`,
    gateway: `${gatewayBase}${replica.userPath}`,
  };
  type Target = keyof typeof targets;
  const names = Object.keys(targets) as Target[];
  const series = () => ({
    rps: [] as number[],
    p99: [] as number[],
    replicaUs: [] as number[],
    nginxUs: [] as number[],
  });
  const results: Record<Target, ReturnType<typeof series>> = { direct: series(), gateway: series() };
  let reads = 0;
  const measure = async (name: Target) => {
    const cpuBefore = [cpuSeconds([replicaPid]), cpuSeconds([nginxPid])];
    const result = await load(name, targets[name], { connections, seconds });
    const cpuAfter = [cpuSeconds([replicaPid]), cpuSeconds([nginxPid])];
    const perRequest = (i: number) =>
      cpuAfter[i] === undefined ? NaN : ((cpuAfter[i]! - cpuBefore[i]!) * 1e6) / result['2xx'];
    reads += result['2xx'];
    return { result, replicaUs: perRequest(0), nginxUs: perRequest(1) };
  };
  console.error(`bench: ${rounds} rounds of ${seconds}s at ${connections} connections, alternating`);
  for (const name of names) await measure(name); // warm-up: the replica's JIT, nginx's upstream connections
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const { result, replicaUs, nginxUs } = await measure(name);
      const s = results[name];
      s.rps.push(result.requests.average);
      s.p99.push(result.latency.p99);
      s.replicaUs.push(replicaUs);
      s.nginxUs.push(nginxUs);
      console.error(
        `  round ${r + 1} ${name}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ` +
          `CPU/request: replica ${replicaUs.toFixed(1)} µs, nginx ${nginxUs.toFixed(1)} µs`,
      );
    }
  }
  await replica.expectAllHits(before, reads);

  const row = (label: string, t: Target) => {
    const s = results[t];
    return `| ${label} | ${Math.round(median(s.rps))} | ${median(s.p99)} | ${median(s.replicaUs).toFixed(1)} | ${median(s.nginxUs).toFixed(1)} |`;
  };
  const ratio = median(results.gateway.rps) / median(results.direct.rps);
  console.log(
    [
      '| cached GET /api/users/:id, one replica | req/s (median of rounds) | p99 ms (median) | replica CPU µs/request | nginx CPU µs/request |',
      '|---|---|---|---|---|',
      row('direct', 'direct'),
      row('through the gateway', 'gateway'),
      '',
      `gateway / direct: ${ratio.toFixed(2)} (goal >= 0.8)`,
    ].join('\n'),
  );
} finally {
  await scope.stopAll();
}
