import { runningFrom, stopDaemon } from '../../lib/daemon';
import { probe } from '../http-probe';
import type { StackPaths } from '../paths';
import { readSupervision, supervised } from '../supervision';
import { ensureStarted, partLine, say, waitReady } from './lifecycle';
import { type Context, daemon, type Part, REPO_ROOT } from './parts';

/**
 * The supervisor as a part of the native stack (native/supervisor.ts is the process): `up` stops it before it
 * touches any replica (so a replica `up` restarts is never raced) and starts it again last with SUPERVISE=on;
 * `down` stops it first, so it never restarts what `down` stops.
 */
export function supervisorPart(ctx: Context): Part {
  const port = ctx.settings.supervisorPort;
  return {
    name: 'supervisor',
    port,
    portSetting: 'SUPERVISOR_PORT',
    stopSignal: 'SIGTERM',
    start() {
      const s = ctx.settings;
      daemon(ctx, 'supervisor', {
        command: process.execPath,
        args: ['--import', 'tsx', 'scripts/stack/native/supervisor.ts'],
        cwd: REPO_ROOT,
        // The settings this `up` ran with (REPLICAS and the rest may have come from the recorded state, not the
        // environment): the supervisor starts replicas exactly as `up` does.
        env: {
          ...process.env,
          STACK_DIR: s.dir,
          REPLICAS: String(s.replicas),
          MONITOR: s.monitor,
          PGBOUNCER: s.pgbouncer,
          SUPERVISOR_PORT: String(port),
        },
      });
    },
    ready: async () => (await probe(`http://127.0.0.1:${port}/metrics`)).status === 200,
  };
}

/** Stops a running supervisor (by its pid file); resolves whether one ran. */
export const stopSupervisor = (ctx: Context) => stopDaemon(ctx.paths.pidFile('supervisor'), 'SIGTERM');

/** `up`'s last step: the supervisor with SUPERVISE=on (ready once it serves /metrics), nothing otherwise. */
export async function startSupervisor(ctx: Context, deadline: number): Promise<void> {
  if (ctx.settings.supervise !== 'on') return;
  const part = supervisorPart(ctx);
  await ensureStarted(ctx, part);
  await waitReady(ctx, part, deadline);
  const state = readSupervision(ctx.paths.root);
  const restarts = (state ? supervised(state) : [])
    .filter(([, r]) => r.restarts > 0)
    .map(([name, r]) => `${name} ${r.restarts}`);
  say(
    partLine(
      'supervisor',
      `restarts replicas and workers that die, metrics on http://127.0.0.1:${part.port}/metrics` +
        (restarts.length > 0 ? ` (restarts so far: ${restarts.join(', ')})` : ''),
    ),
  );
}

/** Whether the supervisor runs (for status and health). */
export const supervisorRunning = (paths: StackPaths) =>
  runningFrom(paths.pidFile('supervisor')) !== undefined;
