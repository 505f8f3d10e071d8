import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PidRecord, runningFrom, stopDaemon } from '../../lib/daemon';
import { probe } from '../http-probe';
import {
  EXPORTER_UP,
  exporterArgs,
  postgresExporterEnv,
  prometheusArgs,
  prometheusVars,
  scrapeTargets,
} from '../monitoring-config';
import { findBinary, requireBinaries, StackError } from '../preflight';
import { activeTargets, prometheusReady } from '../prometheus-api';
import {
  describeTarget,
  pendingTargets,
  staleTargets,
  type TargetState,
  targetStates,
} from '../scrape-targets';
import { ensureStarted, partLine, say, thawIfFrozen, waitReady } from './lifecycle';
import { type Context, daemon, logTail, type Part } from './parts';
import { renderTemplateDir } from './template-files';

/**
 * Prometheus and the exporters of the native stack (MONITOR=on): each a daemon with a pid file and a log like the
 * other parts, started after the gateway (the nginx exporter reads its stub_status from its first second) and
 * stopped before it.
 */

/** monitoring/ at the repository root: the Prometheus config template shared with docker-compose. */
export const MONITORING_TEMPLATES = fileURLToPath(new URL('../../../monitoring', import.meta.url));

/** Debian's package (and binary) names first, then Homebrew's binary names. */
const BINARIES: Record<string, string[]> = {
  prometheus: ['prometheus'],
  'prometheus-nginx-exporter': ['prometheus-nginx-exporter', 'nginx-prometheus-exporter'],
  'prometheus-redis-exporter': ['prometheus-redis-exporter', 'redis_exporter'],
  'prometheus-postgres-exporter': ['prometheus-postgres-exporter', 'postgres_exporter'],
};
const binary = (name: string) => BINARIES[name]?.map(findBinary).find(Boolean);

/** The parts in start order; `down` and MONITOR=off stop them in reverse. */
export const MONITORING_PARTS = ['nginx-exporter', 'redis-exporter', 'postgres-exporter', 'prometheus'];

const prometheusBase = (ctx: Context) => `http://127.0.0.1:${ctx.topology.monitoring.prometheus.port}`;
const configFile = (ctx: Context) => join(ctx.paths.prometheusConf, 'prometheus.yml');
const loadedStamp = (ctx: Context) => join(ctx.paths.prometheusConf, 'config.loaded');

/** An exporter's /metrics with `<up> 1`: it serves and it reaches what it watches. */
function exporterPart(
  ctx: Context,
  name: string,
  setting: string,
  port: number,
  command: string,
  args: string[],
  upMetric: string,
  env: Record<string, string> = {},
): Part {
  const up = new RegExp(`^${upMetric}(\\{[^}]*\\})? 1$`, 'm');
  return {
    name,
    port,
    portSetting: setting,
    stopSignal: 'SIGTERM',
    start() {
      // Only PATH from our environment: these exporters take defaults from variables such as REDIS_PASSWORD or
      // SCRAPE_URI, which must not leak in from the shell that ran `make up`.
      daemon(ctx, name, { command: binary(command)!, args, env: { PATH: process.env.PATH ?? '', ...env } });
    },
    async ready() {
      const res = await probe(`http://127.0.0.1:${port}/metrics`);
      return res.status === 200 && up.test(res.body);
    },
  };
}

/** Throws, with the apt and brew lines, when Prometheus or an exporter is not installed. */
export const requireMonitoringBinaries = () => requireBinaries(Object.keys(BINARIES), binary);

/** The exporters, the nginx exporter first; `monitoringParts` adds Prometheus. */
function exporterParts(ctx: Context): Part[] {
  const { topology: t } = ctx;
  const args = exporterArgs(t, '127.0.0.1');
  const m = t.monitoring;
  return [
    exporterPart(
      ctx,
      'nginx-exporter',
      'NGINX_EXPORTER_PORT',
      m.nginxExporter.port,
      'prometheus-nginx-exporter',
      args.nginx,
      EXPORTER_UP.nginx,
    ),
    exporterPart(
      ctx,
      'redis-exporter',
      'REDIS_EXPORTER_PORT',
      m.redisExporter.port,
      'prometheus-redis-exporter',
      args.redis,
      EXPORTER_UP.redis,
    ),
    exporterPart(
      ctx,
      'postgres-exporter',
      'POSTGRES_EXPORTER_PORT',
      m.postgresExporter.port,
      'prometheus-postgres-exporter',
      args.postgres,
      EXPORTER_UP.postgres,
      postgresExporterEnv(t),
    ),
  ];
}

export const monitoringParts = (ctx: Context): Part[] => [...exporterParts(ctx), prometheusPart(ctx)];

/** Renders monitoring/ into `.stack/prometheus/conf`; returns its text, to compare with what Prometheus runs. */
export function renderPrometheusConfig(ctx: Context): string {
  const vars = prometheusVars(ctx.topology, ctx.settings.scrapeInterval);
  return renderTemplateDir(MONITORING_TEMPLATES, ctx.paths.prometheusConf, vars, 'PROMETHEUS_');
}

/** `promtool check config` on the rendered file; throws with promtool's complaint. */
function checkPrometheusConfig(ctx: Context) {
  const promtool = findBinary('promtool');
  if (!promtool) return; // Shipped with prometheus by Debian; elsewhere Prometheus itself will complain.
  const check = spawnSync(promtool, ['check', 'config', configFile(ctx)], { encoding: 'utf8' });
  if (check.status !== 0) {
    throw new StackError(
      'prometheus',
      `promtool rejected the rendered config:\n${check.stderr || check.stdout}`,
    );
  }
}

export function prometheusPart(ctx: Context): Part {
  const { port } = ctx.topology.monitoring.prometheus;
  return {
    name: 'prometheus',
    port,
    portSetting: 'PROMETHEUS_PORT',
    stopSignal: 'SIGTERM',
    start() {
      mkdirSync(ctx.paths.prometheusData, { recursive: true });
      // No promtool here: Prometheus refuses a bad config itself, and `up` then shows its log saying why.
      writeFileSync(loadedStamp(ctx), renderPrometheusConfig(ctx));
      daemon(ctx, 'prometheus', {
        command: binary('prometheus')!,
        args: prometheusArgs({
          configFile: configFile(ctx),
          dataDir: ctx.paths.prometheusData,
          listen: `127.0.0.1:${port}`,
          retention: ctx.settings.prometheusRetention,
        }),
      });
    },
    ready: () => prometheusReady(prometheusBase(ctx)),
  };
}

/**
 * SIGHUP makes Prometheus re-read its config (new replicas, another scrape interval) without losing samples. A
 * config it would refuse is caught first: on a reload Prometheus keeps the old one and says so only in its log.
 */
function reloadPrometheusIfChanged(ctx: Context, running: PidRecord) {
  const previous = existsSync(loadedStamp(ctx)) ? readFileSync(loadedStamp(ctx), 'utf8') : '';
  const config = renderPrometheusConfig(ctx);
  if (config === previous) return;
  checkPrometheusConfig(ctx);
  process.kill(running.pid, 'SIGHUP');
  writeFileSync(loadedStamp(ctx), config);
  say(partLine('prometheus', 'config changed, reloaded'));
}

/**
 * Waits until Prometheus scrapes exactly the expected targets and every one but `swarm` is up. A target still
 * down at the deadline fails `up` at the part behind it (the replica, the exporter), with that part's log.
 */
async function waitForTargets(ctx: Context, deadline: number): Promise<TargetState[]> {
  const expected = scrapeTargets(ctx.topology);
  let states: TargetState[] = [];
  let last = '';
  while (Date.now() < deadline) {
    if (!runningFrom(ctx.paths.pidFile('prometheus'))) {
      throw new StackError(
        'prometheus',
        'prometheus exited while starting',
        logTail(ctx.paths, 'prometheus'),
      );
    }
    try {
      const active = await activeTargets(prometheusBase(ctx));
      states = targetStates(expected, active, Date.now());
      const stale = staleTargets(expected, active);
      if (pendingTargets(states).length === 0 && stale.length === 0) return states;
      last = stale.length > 0 ? `it still scrapes ${stale[0]!.scrapeUrl} (an old config)` : '';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const failing = pendingTargets(states)[0];
  if (failing) {
    throw new StackError(
      failing.part,
      `Prometheus could not scrape ${failing.part} within the deadline (STACK_UP_TIMEOUT_S): ${describeTarget(failing)}`,
      logTail(ctx.paths, failing.part),
    );
  }
  throw new StackError(
    'prometheus',
    `Prometheus's targets were not ready within the deadline (STACK_UP_TIMEOUT_S)${last ? ` (last check: ${last})` : ''}`,
    logTail(ctx.paths, 'prometheus'),
  );
}

export interface Monitoring {
  /** Starts the nginx exporter, then waits until every part is ready and every target but `swarm` is up. */
  ready(deadline: number): Promise<void>;
}

/**
 * Starts what is missing of Prometheus and the exporters that need only Postgres and Redis, without waiting: they
 * come up while the replicas boot, and Prometheus scrapes each replica from the second it listens. The nginx
 * exporter waits for the gateway (it gives up at once when stub_status does not answer), so `ready` starts it.
 */
export async function startMonitoring(ctx: Context): Promise<Monitoring> {
  requireMonitoringBinaries();
  const [nginx, ...early] = exporterParts(ctx);
  const prometheus = prometheusPart(ctx);
  const started = new Set<string>();
  for (const part of early) if (await ensureStarted(ctx, part)) started.add(part.name);
  thawIfFrozen(ctx, 'prometheus');
  const running = runningFrom(ctx.paths.pidFile('prometheus'));
  if (running) reloadPrometheusIfChanged(ctx, running);
  else if (await ensureStarted(ctx, prometheus)) started.add(prometheus.name);

  return {
    async ready(deadline) {
      if (await ensureStarted(ctx, nginx!)) started.add(nginx!.name);
      const exporters = [nginx!, ...early];
      await Promise.all([...exporters, prometheus].map((part) => waitReady(ctx, part, deadline)));
      const line = (part: Part, where: string) =>
        partLine(part.name, `${started.has(part.name) ? 'started' : 'already running'} on ${where}`);
      for (const part of exporters) say(line(part, `127.0.0.1:${part.port}`));
      const states = await waitForTargets(ctx, deadline);
      const up = states.filter((s) => s.health === 'up').length;
      say(
        `${line(prometheus, prometheusBase(ctx))}: ${up} of ${states.length} targets up ` +
          '(swarm only during a load test)',
      );
    },
  };
}

/** Stops Prometheus, then the exporters, if they run (MONITOR=off after a monitored `up`). */
export async function monitoringDown(ctx: Context, why: string): Promise<void> {
  for (const name of [...MONITORING_PARTS].reverse()) {
    if (await stopDaemon(ctx.paths.pidFile(name), 'SIGTERM')) say(partLine(name, `stopped (${why})`));
  }
}
