import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isFrozen, type PidRecord, runningFrom, stopDaemon } from '../../lib/daemon';
import { postgresBin } from '../../lib/postgres';
import { makeTraversable } from '../../lib/traversable';
import { type StackPaths, stackPaths } from '../paths';
import { portFree, requireBinaries, StackError } from '../preflight';
import type { StackSettings } from '../settings';
import { supervisionEventsFile, supervisionFile } from '../supervision';
import { databaseUrl, nativeTopology } from '../topology';
import { BUILT, buildServices, runBuilt } from './build';
import { downstreamPart } from './downstream';
import { ensureStarted, partLine, requirePortsFree, say, thawIfFrozen, waitReady } from './lifecycle';
import {
  MONITORING_PARTS,
  monitoringDown,
  monitoringParts,
  requireMonitoringBinaries,
  startMonitoring,
} from './monitoring';
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
import { pgbouncerDown, pgbouncerPart, requirePgbouncerBinary } from './pgbouncer';
import { startSupervisor, stopSupervisor } from './supervise';
import { workerParts } from './worker';

/**
 * The native stack: Postgres, Redis, the replicas and nginx as background processes of this machine, each with a
 * pid file and a log under the stack directory. `up` starts only what is not running, so it doubles as "restart
 * whatever died"; `down` stops exactly what the pid files name.
 */
export function nativeContext(settings: StackSettings): Context {
  return { settings, topology: nativeTopology(settings), paths: stackPaths(settings.dir) };
}

function migrate(ctx: Context) {
  const result = spawnSync(process.execPath, runBuilt(BUILT.migrate), {
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

/**
 * Pid files of replicas beyond REPLICAS (left from an earlier `up REPLICAS=5`), or of workers beyond WORKERS with
 * `prefix` `worker`, which `up` stops.
 */
function surplusParts(ctx: Context, prefix: 'app' | 'worker' = 'app'): string[] {
  if (!existsSync(ctx.paths.pids)) return [];
  const keep = prefix === 'app' ? ctx.settings.replicas : ctx.settings.workers;
  return readdirSync(ctx.paths.pids)
    .map((f) => new RegExp(`^${prefix}(\\d+)\\.pid$`).exec(f))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) > keep)
    .map((m) => `${prefix}${m[1]}`);
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
  say(partLine('gateway', 'config changed, reloaded'));
}

/**
 * Brings the native stack up and waits, within STACK_UP_TIMEOUT_S, until the gateway and every replica are
 * healthy and, with MONITOR=on, until Prometheus scrapes every target but the load generator. Throws a StackError
 * naming the failing part (with its last log lines).
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
  const monitored = settings.monitor === 'on';
  if (monitored) requireMonitoringBinaries();
  if (ctx.topology.pgbouncer) requirePgbouncerBinary();
  // The supervisor (SUPERVISE=on) would restart a replica this `up` stops on purpose: it starts again last.
  if (await stopSupervisor(ctx)) say(partLine('supervisor', 'stopped until the replicas are up'));
  const replicas = ctx.topology.replicas.map((r) => replicaPart(ctx, r));
  const gateway = gatewayPart(ctx);
  const [postgres, redis] = [postgresPart(ctx), redisPart(ctx)];
  const pgbouncer = ctx.topology.pgbouncer ? pgbouncerPart(ctx) : undefined;
  const downstream = downstreamPart(ctx);
  const workers = workerParts(ctx);
  const core = [
    postgres,
    redis,
    ...(pgbouncer ? [pgbouncer] : []),
    downstream,
    ...replicas,
    ...workers,
    gateway,
  ];
  await requirePortsFree(ctx, monitored ? [...core, ...monitoringParts(ctx)] : core);
  for (const dir of [paths.root, paths.pids, paths.logs]) mkdirSync(dir, { recursive: true });
  // As root, Postgres runs as `postgres` and nginx's workers as `nobody`: both must be able to reach their dirs.
  chmodSync(paths.root, 0o755);
  for (const dir of makeTraversable(paths.root))
    say(`  note: made ${dir} traversable by other users (o+x) for postgres and nginx`);
  const buildStart = performance.now();
  buildServices(REPO_ROOT);
  say(partLine('build', `services bundled in ${((performance.now() - buildStart) / 1000).toFixed(1)} s`));

  const step = async (part: Part) => {
    const fresh = await ensureStarted(ctx, part);
    await waitReady(ctx, part, deadline);
    say(partLine(part.name, `${fresh ? 'started' : 'already running'} on 127.0.0.1:${part.port}`));
  };
  await step(postgres);
  await step(redis);
  migrate(ctx);
  say(partLine('migrate', 'done'));
  if (pgbouncer) await step(pgbouncer);
  else await pgbouncerDown(ctx);
  // Prometheus and the exporters of Postgres and Redis start now and come up while the replicas boot.
  const monitoring = monitored ? await startMonitoring(ctx) : undefined;
  if (!monitoring) await monitoringDown(ctx, 'MONITOR=off');
  // The overload lab's downstream service, before the replicas that call it (tiny: started whatever LAB says).
  await step(downstream);

  // Running replicas reach the database the old way when PGBOUNCER changed since the last `up`: restart them.
  if ((recordedPgbouncer(ctx) ?? 'off') !== settings.pgbouncer) {
    for (const part of replicas) {
      if (await stopDaemon(paths.pidFile(part.name), 'SIGTERM'))
        say(partLine(part.name, `stopped, to start through ${pgbouncer ? 'PgBouncer' : 'Postgres itself'}`));
    }
  }
  // Replicas and ingest workers (after the migrations: the `events` table is the API's) boot in parallel: each
  // spends most of its start-up compiling TypeScript.
  const booting = [...replicas, ...workers];
  const fresh: boolean[] = [];
  for (const part of booting) fresh.push(await ensureStarted(ctx, part));
  await Promise.all(booting.map((part) => waitReady(ctx, part, deadline)));
  booting.forEach((part, i) => {
    say(partLine(part.name, `${fresh[i] ? 'started' : 'already running'} on 127.0.0.1:${part.port}`));
  });
  // Fewer workers than before: SIGTERM, so each finishes its batch and acks it.
  for (const name of surplusParts(ctx, 'worker')) {
    await stopDaemon(paths.pidFile(name), 'SIGTERM');
    say(partLine(name, `stopped (WORKERS=${settings.workers})`));
  }

  thawIfFrozen(ctx, 'gateway');
  const runningGateway = runningFrom(paths.pidFile('gateway'));
  if (runningGateway) reloadGatewayIfChanged(ctx, runningGateway);
  else await ensureStarted(ctx, gateway);
  await waitReady(ctx, gateway, deadline);
  say(
    partLine(
      'gateway',
      `${runningGateway ? 'already running' : 'started'} on http://127.0.0.1:${gateway.port}`,
    ),
  );
  // Fewer replicas than before: stopped only once the gateway no longer sends them requests (its reload above).
  for (const name of surplusParts(ctx)) {
    await stopDaemon(paths.pidFile(name), 'SIGTERM');
    say(partLine(name, `stopped (REPLICAS=${settings.replicas})`));
  }

  // Before Prometheus's targets are waited for: with SUPERVISE=on the supervisor is one.
  await startSupervisor(ctx, deadline);
  await monitoring?.ready(deadline);

  const state = {
    kind: 'native',
    replicas: settings.replicas,
    workers: settings.workers,
    monitor: settings.monitor,
    pgbouncer: settings.pgbouncer,
    supervise: settings.supervise,
  };
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
  say(
    `up: native stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: http://127.0.0.1:${gateway.port}`,
  );
}

/** PGBOUNCER as the last `up` recorded it, or undefined when no `up` did. */
function recordedPgbouncer(ctx: Context): 'on' | 'off' | undefined {
  try {
    return (
      (JSON.parse(readFileSync(ctx.paths.state, 'utf8')) as { pgbouncer?: 'on' | 'off' }).pgbouncer ?? 'off'
    );
  } catch {
    return undefined;
  }
}

/**
 * Every part that has a pid file in the reverse of the order `up` starts them: Prometheus, the exporters, the
 * gateway, the replicas, the downstream service, PgBouncer, Redis, Postgres.
 */
export function recordedParts(paths: StackPaths): string[] {
  if (!existsSync(paths.pids)) return [];
  const names = readdirSync(paths.pids)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => f.slice(0, -4));
  // Replicas (and any other name) between the gateway and Redis.
  const order = [
    'supervisor',
    ...[...MONITORING_PARTS].reverse(),
    'gateway',
    '',
    'downstream',
    'pgbouncer',
    'redis',
    'postgres',
  ];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.indexOf(''));
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
}

/** Stops what the pid files name, in reverse start order; each stop waits until the process (and its group) is gone. */
export async function nativeDown(settings: StackSettings): Promise<void> {
  const started = Date.now();
  const ctx = nativeContext(settings);
  const names = recordedParts(ctx.paths);
  // Replicas drain in parallel (each may wait for in-flight requests); the rest one after the other.
  const replicas = names.filter((n) => /^app\d+$/.test(n));
  const workers = names.filter((n) => /^worker\d+$/.test(n));
  const stop = async (name: string) => {
    const signal = name === 'postgres' || name === 'pgbouncer' ? 'SIGINT' : 'SIGTERM';
    const stopped = await stopDaemon(ctx.paths.pidFile(name), signal);
    say(partLine(name, stopped ? 'stopped' : 'was not running'));
  };
  // The supervisor before anything else, or it would restart the replicas this stops.
  if (names.includes('supervisor')) await stop('supervisor');
  // Prometheus first, then the exporters: none of them reports a part going away as a failure.
  for (const name of names.filter((n) => MONITORING_PARTS.includes(n))) await stop(name);
  if (names.includes('gateway')) await stop('gateway');
  await Promise.all(replicas.map(stop));
  // The workers after the replicas (nothing is appended any more) and before Redis and Postgres: each finishes its
  // batch, writes and acks it on SIGTERM, so what was accepted is stored (or left pending for the next `up`).
  await Promise.all(workers.map(stop));
  for (const name of ['downstream', 'pgbouncer', 'redis', 'postgres'])
    if (names.includes(name)) await stop(name);
  rmSync(ctx.paths.state, { force: true });
  // Restart counts belong to one stack's life: the next `up` starts from 0 (an `up` over a running stack keeps them).
  rmSync(supervisionFile(ctx.paths.root), { force: true });
  rmSync(supervisionEventsFile(ctx.paths.root), { force: true });
  say(`down: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface PartStatus {
  name: string;
  pid?: number;
  running: boolean;
  /** Stopped by SIGSTOP (`fault freeze`): running, but answering nothing. */
  frozen: boolean;
  port?: number;
  listening: boolean;
}

/** Each part of the topology (and any leftover pid file) with its pid, whether it runs and whether its port is taken. */
export async function nativeStatus(settings: StackSettings): Promise<PartStatus[]> {
  const ctx = nativeContext(settings);
  const ports = new Map<string, number>([
    ['postgres', ctx.topology.postgres.port],
    ['redis', ctx.topology.redis.port],
    ...(ctx.topology.pgbouncer ? [['pgbouncer', ctx.topology.pgbouncer.port] as [string, number]] : []),
    ['downstream', ctx.topology.downstream.port],
    ...ctx.topology.replicas.map((r) => [r.name, r.port] as [string, number]),
    ...ctx.topology.workers.map((w) => [w.name, w.port] as [string, number]),
    ['gateway', ctx.topology.gateway.port],
  ]);
  if (settings.monitor === 'on') {
    const m = ctx.topology.monitoring;
    ports.set('nginx-exporter', m.nginxExporter.port);
    ports.set('redis-exporter', m.redisExporter.port);
    ports.set('postgres-exporter', m.postgresExporter.port);
    ports.set('prometheus', m.prometheus.port);
  }
  for (const name of recordedParts(ctx.paths)) if (!ports.has(name)) ports.set(name, 0);
  const rows: PartStatus[] = [];
  for (const [name, port] of ports) {
    const record = runningFrom(ctx.paths.pidFile(name));
    rows.push({
      name,
      pid: record?.pid,
      running: record !== undefined,
      frozen: record !== undefined && isFrozen(record),
      port: port || undefined,
      listening: port ? !(await portFree(port)) : false,
    });
  }
  return rows;
}

/** Stops one part (by its pid file) and runs `up`, which starts it again along with anything else missing. */
export async function nativeRestart(settings: StackSettings, part: string): Promise<void> {
  const ctx = nativeContext(settings);
  await stopDaemon(
    ctx.paths.pidFile(part),
    part === 'postgres' || part === 'pgbouncer' ? 'SIGINT' : 'SIGTERM',
  );
  await nativeUp(settings);
}
