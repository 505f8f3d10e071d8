import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type PidRecord, readPidFile } from '../../../scripts/lib/daemon';
import { freePort } from '../../../scripts/lib/ports';
import { portFree } from '../../../scripts/stack/preflight';

const run = promisify(execFile);
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * A native stack of the project's own scripts for one test file: its own directory and free ports, so it never
 * meets a developer's `make up` stack or another test's servers. `cli()` runs scripts/stack/cli.ts and `make()`
 * a Makefile target, both with this stack's environment.
 */
export interface TestStack {
  dir: string;
  env: NodeJS.ProcessEnv;
  gatewayPort: number;
  replicaPorts: number[];
  /** The ingest workers' ports (worker1, worker2, ...); empty with no workers (the default). */
  workerPorts: number[];
  postgresPort: number;
  redisPort: number;
  /** Prometheus, the exporters, nginx's stub_status server and the load generator's metrics port (job swarm). */
  monitoringPorts: {
    prometheus: number;
    nginxExporter: number;
    redisExporter: number;
    postgresExporter: number;
    gatewayStatus: number;
    swarm: number;
  };
  /** Prometheus's base URL (`http://127.0.0.1:<port>`); it runs only when the stack was brought up with MONITOR=on. */
  prometheusUrl: string;
  cli(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  make(target: string): Promise<{ stdout: string; stderr: string }>;
  /** The pid record of a part (`app2`, `postgres`, `gateway` ...) from its pid file; throws when there is none. */
  pid(part: string): PidRecord;
  remove(): void;
}

/**
 * `count` consecutive free ports (the replicas sit on REPLICA_BASE_PORT, +1, +2 ...), below Linux's ephemeral
 * range (32768+) so that no outgoing connection takes one between this check and the replica's start.
 */
async function freeRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no run of ${count} free ports found`);
}

/** `count` consecutive free ports none of which is in `avoid`. */
async function freeRunAvoiding(count: number, avoid: number[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freeRun(count);
    if (!avoid.some((p) => p >= base && p < base + count)) return base;
  }
  throw new Error(`no run of ${count} free ports apart from ${avoid.join(', ')}`);
}

/**
 * A test stack's directory and ports; `settings` adds stack settings (e.g. `{ GATEWAY_READ_TIMEOUT_S: '2' }`) to
 * its environment. `workers`: how many ingest workers it runs (WORKERS), 0 by default: only the ingest tests need
 * them, and elsewhere each would be a process compiling TypeScript and polling Redis during the test.
 */
export async function createTestStack(
  replicas = 3,
  settings: Record<string, string> = {},
  workers = 0,
): Promise<TestStack> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmgate-stack-'));
  const base = await freeRun(replicas);
  const replicaPorts = Array.from({ length: replicas }, (_, i) => base + i);
  // The workers' run must not overlap the replicas' (both were free when asked, neither is bound yet).
  const workerBase = workers > 0 ? await freeRunAvoiding(workers, replicaPorts) : 0;
  const workerPorts = () => Array.from({ length: workers }, (_, i) => workerBase + i);
  // Each port is free when asked, and closed again at once: the kernel may hand the same one out twice in a row,
  // so a port already given to this stack is asked again (the stack refuses two parts on one port).
  const taken = new Set([...replicaPorts, ...workerPorts()]);
  const distinctPort = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const [gatewayPort, postgresPort, redisPort] = [
    await distinctPort(),
    await distinctPort(),
    await distinctPort(),
  ];
  const monitoringPorts = {
    prometheus: await distinctPort(),
    nginxExporter: await distinctPort(),
    redisExporter: await distinctPort(),
    postgresExporter: await distinctPort(),
    gatewayStatus: await distinctPort(),
    swarm: await distinctPort(),
  };
  const env = {
    ...process.env,
    STACK: 'native',
    STACK_DIR: dir,
    REPLICAS: String(replicas),
    WORKERS: String(workers),
    ...(workers > 0 ? { WORKER_BASE_PORT: String(workerBase) } : {}),
    GATEWAY_PORT: String(gatewayPort),
    REPLICA_BASE_PORT: String(base),
    STACK_PG_PORT: String(postgresPort),
    STACK_REDIS_PORT: String(redisPort),
    PROMETHEUS_PORT: String(monitoringPorts.prometheus),
    NGINX_EXPORTER_PORT: String(monitoringPorts.nginxExporter),
    REDIS_EXPORTER_PORT: String(monitoringPorts.redisExporter),
    POSTGRES_EXPORTER_PORT: String(monitoringPorts.postgresExporter),
    GATEWAY_STATUS_PORT: String(monitoringPorts.gatewayStatus),
    SWARM_METRICS_PORT: String(monitoringPorts.swarm),
    // The overload lab's downstream service, which every native stack starts.
    DOWNSTREAM_PORT: String(await distinctPort()),
    LOG_LEVEL: 'warn',
    STACK_UP_TIMEOUT_S: '120',
    // Prometheus and its exporters start, and scrape every second, only in the tests that look at them
    // (MONITOR: 'on'): elsewhere they would be CPU taken from what a test measures, and seconds of each start.
    MONITOR: 'off',
    ...settings,
  };
  const options = { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 };
  return {
    dir,
    env,
    gatewayPort,
    replicaPorts,
    workerPorts: workerPorts(),
    postgresPort,
    redisPort,
    monitoringPorts,
    prometheusUrl: `http://127.0.0.1:${monitoringPorts.prometheus}`,
    cli: (...args) => run(process.execPath, ['--import', 'tsx', 'scripts/stack/cli.ts', ...args], options),
    make: (target) => run('make', ['--no-print-directory', target], options),
    pid: (part) => {
      const record = readPidFile(join(dir, 'pids', `${part}.pid`));
      if (!record) throw new Error(`no pid file for ${part} in ${dir}`);
      return record;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A test stack on free ports, brought up by the project's own `up` (for a suite's `beforeAll`). When `up` fails,
 * whatever it did start is stopped again before the error is thrown: the suite never gets a stack to take down.
 */
export async function upTestStack(
  replicas = 3,
  settings: Record<string, string> = {},
  workers = 0,
): Promise<TestStack> {
  const stack = await createTestStack(replicas, settings, workers);
  try {
    await stack.cli('up');
  } catch (err) {
    await downTestStack(stack).catch(() => {});
    throw err;
  }
  return stack;
}

/** Brings a test stack down by pid, as `make down` does, and removes its folder; nothing when it never existed. */
export async function downTestStack(stack: TestStack | undefined): Promise<void> {
  if (stack === undefined) return;
  await stack.cli('down');
  stack.remove();
}
