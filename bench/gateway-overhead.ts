/**
 * What the gateway costs: a cached `GET /api/users/:id` on one replica, read through nginx with the project's own
 * gateway configuration and read from the same replica directly, by the same tool (autocannon) at the same
 * concurrency, in alternating rounds so machine noise hits both.
 *
 *   npx --no-install tsx bench/gateway-overhead.ts [--seconds 10] [--connections 50] [--rounds 3] [--rate 0] [--compare DIR]
 *
 * Starts its own Postgres, Redis, replica and nginx on free ports under a temporary directory; nginx runs the
 * templates of gateway/ rendered by the stack's renderer (scripts/stack/gateway-config.ts), access log included,
 * as `make up` would with one replica. `--compare DIR` starts a second nginx from another copy of gateway/ (a
 * change being tried, or the last commit's) in front of the same replica and measures it in the same rounds: on a
 * shared machine only figures from one run compare. Fails unless every measured read is a 2xx cache hit, and stops
 * everything it started, also on failure. Besides the rate it reports the CPU time per request of the replica and
 * of nginx (master and workers), read from /proc: the rate moves with whatever else the machine runs, the CPU a
 * request costs much less. CI runs it in a tiny form (bench/benches.test.ts).
 */
import { join } from 'node:path';
import { freePort, waitFor } from '../scripts/lib/ports';
import { startService } from '../scripts/lib/process';
import { gatewayVars } from '../scripts/stack/gateway-config';
import { GATEWAY_TEMPLATES, renderGatewayConfig } from '../scripts/stack/native/gateway-files';
import { findBinary } from '../scripts/stack/preflight';
import { DEFAULT_INSPECT_ALLOW } from '../scripts/stack/settings';
import { benchOptions, cpuSeconds, load, median } from './support/load';
import { type CachedReplica, startCachedReplica } from './support/replica';
import { type BenchScope, benchScope } from './support/scope';

const { seconds, connections, rounds, rate, flags } = benchOptions({ compare: { type: 'string' } });
const nginxBinary = findBinary('nginx');
if (!nginxBinary) {
  console.error('bench: nginx is not installed (make setup, or apt-get install -y nginx-light)');
  process.exit(2);
}

/**
 * nginx in front of `replica` with the templates in `templates`, rendered with the stack's settings for one
 * replica (round robin, GATEWAY_READ_TIMEOUT_S 10, inspection from loopback); resolves once a read through it
 * answers 2xx.
 */
async function startGateway(scope: BenchScope, name: string, templates: string, replica: CachedReplica) {
  const [port, statusPort] = [await freePort(), await freePort()];
  const runDir = join(scope.root, name);
  const conf = join(runDir, 'conf');
  renderGatewayConfig(
    conf,
    gatewayVars({
      listen: `127.0.0.1:${port}`,
      runDir,
      accessLog: join(runDir, 'access.log'),
      errorLog: join(runDir, 'error.log'),
      balance: 'round_robin',
      replicas: [{ name: 'app1', host: '127.0.0.1', port: replica.port }],
      readTimeoutS: 10,
      inspectAllow: DEFAULT_INSPECT_ALLOW,
      statusListen: `127.0.0.1:${statusPort}`,
    }),
    templates,
  );
  const args = ['-p', `${runDir}/`, '-c', join(conf, 'nginx.conf'), '-e', join(runDir, 'error.log')];
  const nginx = scope.add(
    startService(name, nginxBinary!, [...args, '-g', 'daemon off;'], { aptPackage: 'nginx-light' }),
  );
  const url = `http://127.0.0.1:${port}${replica.userPath}`;
  await waitFor(name, async () => {
    if (nginx.child.exitCode !== null) throw new Error(`${name} exited:\n${nginx.output()}`);
    return (await fetch(url)).ok;
  });
  return { url, pid: nginx.child.pid! };
}

const scope = benchScope('swarmgate-bench-gateway-');
try {
  const replica = await startCachedReplica(scope);
  const before = await replica.cacheCounts();

  const gateway = await startGateway(scope, 'nginx', GATEWAY_TEMPLATES, replica);
  const targets: { label: string; url: string; nginxPid?: number }[] = [
    { label: 'direct', url: `${replica.base}${replica.userPath}` },
    { label: 'through the gateway', url: gateway.url, nginxPid: gateway.pid },
  ];
  if (flags.compare) {
    const other = await startGateway(scope, 'nginx-compare', flags.compare, replica);
    targets.push({
      label: `through the gateway from ${flags.compare}`,
      url: other.url,
      nginxPid: other.pid,
    });
  }

  const replicaPid = replica.service.child.pid!;
  const results = targets.map(() => ({
    rps: [] as number[],
    p99: [] as number[],
    replicaUs: [] as number[],
    nginxUs: [] as number[],
  }));
  let reads = 0;
  const measure = async (i: number) => {
    const { label, url, nginxPid } = targets[i]!;
    const cpu = () => [cpuSeconds([replicaPid]), nginxPid === undefined ? 0 : cpuSeconds([nginxPid])];
    const cpuBefore = cpu();
    const result = await load(label, url, { connections, seconds, rate });
    const cpuAfter = cpu();
    const perRequest = (k: number) =>
      cpuAfter[k] === undefined ? NaN : ((cpuAfter[k]! - cpuBefore[k]!) * 1e6) / result['2xx'];
    reads += result['2xx'];
    return { result, replicaUs: perRequest(0), nginxUs: perRequest(1) };
  };
  console.error(
    `bench: ${rounds} rounds of ${seconds}s at ${connections} connections${rate ? `, ${rate} req/s` : ''}, alternating`,
  );
  for (let i = 0; i < targets.length; i++) await measure(i); // warm-up: JIT, nginx's upstream connections
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < targets.length; i++) {
      const { result, replicaUs, nginxUs } = await measure(i);
      const s = results[i]!;
      s.rps.push(result.requests.average);
      s.p99.push(result.latency.p99);
      s.replicaUs.push(replicaUs);
      s.nginxUs.push(nginxUs);
      console.error(
        `  round ${r + 1} ${targets[i]!.label}: ${Math.round(result.requests.average)} req/s, ` +
          `p99 ${result.latency.p99} ms, CPU/request: replica ${replicaUs.toFixed(1)} µs` +
          (targets[i]!.nginxPid === undefined ? '' : `, nginx ${nginxUs.toFixed(1)} µs`),
      );
    }
  }
  await replica.expectAllHits(before, reads);

  const rows = targets.map(({ label }, i) => {
    const s = results[i]!;
    const cells = [Math.round(median(s.rps)), median(s.p99), median(s.replicaUs).toFixed(1)];
    const nginx = targets[i]!.nginxPid === undefined ? '–' : median(s.nginxUs).toFixed(1);
    return `| ${label} | ${[...cells, nginx].join(' | ')} |`;
  });
  const ratio = (i: number) => (median(results[i]!.rps) / median(results[0]!.rps)).toFixed(2);
  console.log(
    [
      '| cached GET /api/users/:id, one replica | req/s (median of rounds) | p99 ms (median) | replica CPU µs/request (median) | nginx CPU µs/request (median) |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `gateway / direct: ${ratio(1)} (goal >= 0.8)`,
      ...(flags.compare ? [`gateway from ${flags.compare} / direct: ${ratio(2)}`] : []),
    ].join('\n'),
  );
} finally {
  await scope.stopAll();
}
