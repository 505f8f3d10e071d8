import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DaemonOptions, startDaemon } from '../../lib/daemon';
import { ensureDatabase, initCluster, postgresArgs, postgresBin, postgresRunAs } from '../../lib/postgres';
import { redisPing } from '../../lib/redis';
import { gatewayVars } from '../gateway-config';
import { json, probe } from '../http-probe';
import type { StackPaths } from '../paths';
import { findBinary, StackError } from '../preflight';
import type { StackSettings } from '../settings';
import { gatewayUrl, type Replica, replicaEnv, type Topology } from '../topology';
import { BUILT, runBuilt } from './build';
import { renderGatewayConfig } from './gateway-files';

/**
 * One process of the native stack: how to start it, how to tell it is ready, and how to stop it. `up` starts the
 * parts in order and `down` stops them in reverse; the pid and log file names are the part's name.
 */
export interface Part {
  name: string;
  port: number;
  /** The setting that moves its port, for the "port in use" message. */
  portSetting: string;
  /** Any other port it listens on, with the setting that moves it (the gateway's stub_status server). */
  otherPorts?: { port: number; setting: string }[];
  /** Postgres takes SIGINT as "fast shutdown"; SIGTERM would wait for every client to disconnect. */
  stopSignal: NodeJS.Signals;
  start(): void;
  ready(): Promise<boolean>;
}

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Context {
  settings: StackSettings;
  topology: Topology;
  paths: StackPaths;
}

/** Marks the start of a run in a part's log, so a failure shows this run's lines and not an earlier one's. */
const RUN_MARK = '--- stack: starting ';

export function daemon(ctx: Context, name: string, options: Omit<DaemonOptions, 'logFile' | 'pidFile'>) {
  appendFileSync(ctx.paths.logFile(name), `${RUN_MARK}${name} at ${new Date().toISOString()} ---\n`);
  return startDaemon({ ...options, logFile: ctx.paths.logFile(name), pidFile: ctx.paths.pidFile(name) });
}

export function postgresPart(ctx: Context): Part {
  const { port, database } = ctx.topology.postgres;
  const dataDir = ctx.paths.postgresData;
  return {
    name: 'postgres',
    port,
    portSetting: 'STACK_PG_PORT',
    stopSignal: 'SIGINT',
    start() {
      initCluster(dataDir);
      daemon(ctx, 'postgres', {
        command: join(postgresBin(), 'postgres'),
        args: postgresArgs(dataDir, port, false, ctx.settings.postgresMaxConnections),
        ...postgresRunAs(),
      });
    },
    ready: () => ensureDatabase(port, database).then(() => true),
  };
}

export function redisPart(ctx: Context): Part {
  const { port } = ctx.topology.redis;
  return {
    name: 'redis',
    port,
    portSetting: 'STACK_REDIS_PORT',
    stopSignal: 'SIGTERM',
    start() {
      mkdirSync(ctx.paths.redisDir, { recursive: true });
      // A cache: nothing is saved to disk (--save "", no AOF), so a restart starts cold and leaves no files.
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', ctx.paths.redisDir];
      args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes');
      daemon(ctx, 'redis', { command: findBinary('redis-server')!, args });
    },
    ready: () => redisPing(port),
  };
}

export function replicaPart(ctx: Context, replica: Replica): Part {
  const url = `http://${replica.host}:${replica.port}/ready`;
  return {
    name: replica.name,
    port: replica.port,
    portSetting: 'REPLICA_BASE_PORT',
    stopSignal: 'SIGTERM',
    start() {
      // Node itself (not `npm start`): the pid file then holds the server's own pid, so SIGTERM reaches the
      // service's graceful shutdown instead of an npm wrapper.
      daemon(ctx, replica.name, {
        command: process.execPath,
        args: runBuilt(BUILT.api),
        cwd: REPO_ROOT,
        env: { ...process.env, ...replicaEnv(ctx.topology, replica, '127.0.0.1', ctx.settings) },
      });
    },
    async ready() {
      const res = await probe(url);
      const body = json(res);
      // Settled: the cache takes fills (services/api/README.md), so a run started now sees HITs from its first reads.
      const checks = body?.checks as { cacheSettled?: boolean } | undefined;
      return res.status === 200 && body?.instance === replica.name && checks?.cacheSettled === true;
    },
  };
}

/** Renders the gateway config into `.stack/nginx/conf`; returns its text, to compare with what nginx runs. */
export function renderNative(ctx: Context): string {
  const { paths, topology, settings } = ctx;
  mkdirSync(paths.nginxRun, { recursive: true });
  // nginx workers run as an unprivileged user when the master is root; they need to reach their temp dirs.
  chmodSync(paths.nginxRun, 0o755);
  return renderGatewayConfig(
    paths.nginxConf,
    gatewayVars({
      listen: `${topology.gateway.host}:${topology.gateway.port}`,
      runDir: paths.nginxRun,
      accessLog: paths.logFile('gateway-access'),
      errorLog: paths.logFile('gateway'),
      balance: settings.balance,
      replicas: topology.replicas,
      readTimeoutS: settings.gatewayReadTimeoutS,
      inspectAllow: settings.gatewayInspectAllow,
      statusListen: `${topology.gateway.host}:${topology.gateway.statusPort}`,
      quota: settings.quota,
    }),
  );
}

/** The config text nginx was last started or reloaded with, to tell whether `up` must reload it. */
export const loadedConfigStamp = (paths: StackPaths) => join(paths.nginxRun, 'config.loaded');

/** nginx's arguments: its own prefix, config and error log, never the system's /etc/nginx. */
export function nginxArgs(paths: StackPaths): string[] {
  return [
    '-p',
    `${paths.nginxRun}/`,
    '-c',
    join(paths.nginxConf, 'nginx.conf'),
    '-e',
    paths.logFile('gateway'),
  ];
}

/** `nginx -t` on the rendered config; throws with nginx's own complaint. */
export function testNginxConfig(paths: StackPaths) {
  const test = spawnSync(findBinary('nginx')!, ['-t', '-q', ...nginxArgs(paths)], { encoding: 'utf8' });
  if (test.status !== 0) {
    throw new StackError('gateway', `nginx rejected the rendered config:\n${test.stderr || test.stdout}`);
  }
}

export function gatewayPart(ctx: Context): Part {
  const base = gatewayUrl(ctx.topology);
  return {
    name: 'gateway',
    port: ctx.topology.gateway.port,
    portSetting: 'GATEWAY_PORT',
    otherPorts: [{ port: ctx.topology.gateway.statusPort, setting: 'GATEWAY_STATUS_PORT' }],
    stopSignal: 'SIGTERM',
    start() {
      writeFileSync(loadedConfigStamp(ctx.paths), renderNative(ctx));
      testNginxConfig(ctx.paths);
      // In the foreground (daemon off): the pid we record is nginx's master, and it stays in our process group.
      daemon(ctx, 'gateway', {
        command: findBinary('nginx')!,
        args: [...nginxArgs(ctx.paths), '-g', 'daemon off;'],
      });
    },
    async ready() {
      const health = await probe(`${base}/gateway-health`);
      if (health.status !== 200) return false;
      // Ready once every replica is reachable through its own prefix (also proves a reload took effect).
      for (const r of ctx.topology.replicas) {
        const res = await probe(`${base}/${r.name}/health`);
        if (res.status !== 200 || res.headers['x-instance'] !== r.name) return false;
      }
      return true;
    },
  };
}

/** The last `lines` lines of a part's log since it was last started, for failure messages. */
export function logTail(paths: StackPaths, part: string, lines = 25): string {
  const file = paths.logFile(part);
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const run = text.slice(Math.max(0, text.lastIndexOf(RUN_MARK)));
  return run.trimEnd().split('\n').slice(-lines).join('\n');
}
