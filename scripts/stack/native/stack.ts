import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type PidRecord, runningFrom, stopDaemon } from '../../lib/daemon';
import { postgresBin } from '../../lib/postgres';
import { makeTraversable } from '../../lib/traversable';
import { type StackPaths, stackPaths } from '../paths';
import { portFree, requireBinaries, requirePortFree, StackError } from '../preflight';
import type { StackSettings } from '../settings';
import { databaseUrl, nativeTopology } from '../topology';
import {
  type Context,
  gatewayPart,
  loadedConfigStamp,
  logTail,
  type Part,
  postgresPart,
  REPO_ROOT,
  redisPart,
  renderNative,
  replicaPart,
  testNginxConfig,
} from './parts';

/**
 * The native stack: Postgres, Redis, the replicas and nginx as background processes of this machine, each with a
 * pid file and a log under the stack directory. `up` starts only what is not running, so it doubles as "restart
 * whatever died"; `down` stops exactly what the pid files name.
 */
export function nativeContext(settings: StackSettings): Context {
  return { settings, topology: nativeTopology(settings), paths: stackPaths(settings.dir) };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Polls `part.ready()` until the deadline; fails early, with its log, if its process exits. */
async function waitReady(ctx: Context, part: Part, deadline: number) {
  const pidFile = ctx.paths.pidFile(part.name);
  let last = '';
  while (Date.now() < deadline) {
    if (!runningFrom(pidFile)) {
      throw new StackError(part.name, `${part.name} exited while starting`, logTail(ctx.paths, part.name));
    }
    try {
      if (await part.ready()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = last ? ` (last check: ${last})` : '';
  throw new StackError(
    part.name,
    `${part.name} was not ready within the deadline (STACK_UP_TIMEOUT_S)${why}`,
    logTail(ctx.paths, part.name),
  );
}

/** Starts `part` unless its pid file names a live process; returns whether it started it. */
async function ensureStarted(ctx: Context, part: Part): Promise<boolean> {
  if (runningFrom(ctx.paths.pidFile(part.name))) return false;
  await requirePortFree(part.name, part.port, part.portSetting);
  try {
    part.start();
  } catch (err) {
    if (err instanceof StackError) throw err;
    throw new StackError(part.name, `${part.name} did not start: ${(err as Error).message}`);
  }
  return true;
}

function migrate(ctx: Context) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'services/api/src/db/migrate-cli.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl(ctx.topology) },
    encoding: 'utf8',
    timeout: 120_000,
  });
  writeFileSync(ctx.paths.logFile('migrate'), `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.status !== 0) {
    throw new StackError('migrate', 'the database migrations failed', logTail(ctx.paths, 'migrate'));
  }
}

/** Pid files of replicas beyond REPLICAS (left from an earlier `up REPLICAS=5`), which `up` stops. */
function surplusReplicas(ctx: Context): string[] {
  if (!existsSync(ctx.paths.pids)) return [];
  return readdirSync(ctx.paths.pids)
    .map((f) => /^app(\d+)\.pid$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) > ctx.settings.replicas)
    .map((m) => `app${m[1]}`);
}

/** Reloads a running nginx when the rendered config differs from the one it was started or reloaded with. */
function reloadGatewayIfChanged(ctx: Context, running: PidRecord) {
  const stamp = loadedConfigStamp(ctx.paths);
  const previous = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
  const config = renderNative(ctx);
  if (config === previous) return;
  testNginxConfig(ctx.paths);
  // SIGHUP: the master re-reads the config and replaces its workers gracefully (in-flight requests finish).
  process.kill(running.pid, 'SIGHUP');
  writeFileSync(stamp, config);
  say('  gateway: config changed, reloaded');
}

/**
 * Brings the native stack up and waits, within STACK_UP_TIMEOUT_S, until the gateway and every replica are
 * healthy. Throws a StackError naming the failing part (with its last log lines).
 */
export async function nativeUp(settings: StackSettings): Promise<void> {
  const started = Date.now();
  const deadline = started + settings.upTimeoutMs;
  const ctx = nativeContext(settings);
  const { paths } = ctx;
  requireBinaries(['nginx', 'redis-server']);
  try {
    postgresBin();
  } catch {
    requireBinaries(['postgres'], () => undefined);
  }
  for (const dir of [paths.root, paths.pids, paths.logs]) mkdirSync(dir, { recursive: true });
  // As root, Postgres runs as `postgres` and nginx's workers as `nobody`: both must be able to reach their dirs.
  chmodSync(paths.root, 0o755);
  for (const dir of makeTraversable(paths.root))
    say(`  note: made ${dir} traversable by other users (o+x) for postgres and nginx`);

  const step = async (part: Part) => {
    const fresh = await ensureStarted(ctx, part);
    await waitReady(ctx, part, deadline);
    say(`  ${part.name.padEnd(8)} ${fresh ? 'started' : 'already running'} on 127.0.0.1:${part.port}`);
  };
  await step(postgresPart(ctx));
  await step(redisPart(ctx));
  migrate(ctx);
  say('  migrate  done');

  for (const name of surplusReplicas(ctx)) {
    await stopDaemon(paths.pidFile(name), 'SIGTERM');
    say(`  ${name.padEnd(8)} stopped (REPLICAS=${settings.replicas})`);
  }
  const replicas = ctx.topology.replicas.map((r) => replicaPart(ctx, r));
  // Replicas boot in parallel: each spends most of its start-up compiling TypeScript.
  const fresh: boolean[] = [];
  for (const part of replicas) fresh.push(await ensureStarted(ctx, part));
  await Promise.all(replicas.map((part) => waitReady(ctx, part, deadline)));
  replicas.forEach((part, i) => {
    say(`  ${part.name.padEnd(8)} ${fresh[i] ? 'started' : 'already running'} on 127.0.0.1:${part.port}`);
  });

  const gateway = gatewayPart(ctx);
  const runningGateway = runningFrom(paths.pidFile('gateway'));
  if (runningGateway) reloadGatewayIfChanged(ctx, runningGateway);
  else await ensureStarted(ctx, gateway);
  await waitReady(ctx, gateway, deadline);
  say(`  gateway  ${runningGateway ? 'already running' : 'started'} on http://127.0.0.1:${gateway.port}`);

  writeFileSync(paths.state, `${JSON.stringify({ kind: 'native', replicas: settings.replicas }, null, 2)}\n`);
  say(
    `up: native stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: http://127.0.0.1:${gateway.port}`,
  );
}

/** Every part that has a pid file, gateway first and Postgres last: the reverse of the order `up` starts them. */
export function recordedParts(paths: StackPaths): string[] {
  if (!existsSync(paths.pids)) return [];
  const names = readdirSync(paths.pids)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => f.slice(0, -4));
  const rank = (n: string) => (n === 'gateway' ? 0 : n === 'redis' ? 2 : n === 'postgres' ? 3 : 1);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
}

/** Stops what the pid files name, in reverse start order; each stop waits until the process (and its group) is gone. */
export async function nativeDown(settings: StackSettings): Promise<void> {
  const started = Date.now();
  const ctx = nativeContext(settings);
  const names = recordedParts(ctx.paths);
  // Replicas drain in parallel (each may wait for in-flight requests); the rest one after the other.
  const replicas = names.filter((n) => /^app\d+$/.test(n));
  const stop = async (name: string) => {
    const signal = name === 'postgres' ? 'SIGINT' : 'SIGTERM';
    const stopped = await stopDaemon(ctx.paths.pidFile(name), signal);
    say(`  ${name.padEnd(8)} ${stopped ? 'stopped' : 'was not running'}`);
  };
  if (names.includes('gateway')) await stop('gateway');
  await Promise.all(replicas.map(stop));
  for (const name of ['redis', 'postgres']) if (names.includes(name)) await stop(name);
  rmSync(ctx.paths.state, { force: true });
  say(`down: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface PartStatus {
  name: string;
  pid?: number;
  running: boolean;
  port?: number;
  listening: boolean;
}

/** Each part of the topology (and any leftover pid file) with its pid, whether it runs and whether its port is taken. */
export async function nativeStatus(settings: StackSettings): Promise<PartStatus[]> {
  const ctx = nativeContext(settings);
  const ports = new Map<string, number>([
    ['postgres', ctx.topology.postgres.port],
    ['redis', ctx.topology.redis.port],
    ...ctx.topology.replicas.map((r) => [r.name, r.port] as [string, number]),
    ['gateway', ctx.topology.gateway.port],
  ]);
  for (const name of recordedParts(ctx.paths)) if (!ports.has(name)) ports.set(name, 0);
  const rows: PartStatus[] = [];
  for (const [name, port] of ports) {
    const record = runningFrom(ctx.paths.pidFile(name));
    rows.push({
      name,
      pid: record?.pid,
      running: record !== undefined,
      port: port || undefined,
      listening: port ? !(await portFree(port)) : false,
    });
  }
  return rows;
}

/** Stops one part (by its pid file) and runs `up`, which starts it again along with anything else missing. */
export async function nativeRestart(settings: StackSettings, part: string): Promise<void> {
  const ctx = nativeContext(settings);
  await stopDaemon(ctx.paths.pidFile(part), part === 'postgres' ? 'SIGINT' : 'SIGTERM');
  await nativeUp(settings);
}
