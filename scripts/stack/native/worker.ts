import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { probe } from '../http-probe';
import { StackError } from '../preflight';
import { type Worker, workerEnv } from '../topology';
import { BUILT, runBuilt } from './build';
import { type Context, daemon, type Part, REPO_ROOT } from './parts';

/** The worker's entry point (services/worker), bundled like the replicas' (build.ts). */
export const WORKER_ENTRY = 'services/worker/src/index.ts';

/**
 * One ingest worker (services/worker) of the native stack: started by `up` after the migrations (the `events` table
 * is the API's), ready when its /ready answers 200, stopped by `down` with SIGTERM (it finishes its batch, acks and
 * exits) before Redis and Postgres go. Its pid and log files are its name (`worker1`), as is its fault part.
 */
export function workerPart(ctx: Context, worker: Worker): Part {
  return {
    name: worker.name,
    port: worker.port,
    portSetting: 'WORKER_BASE_PORT',
    stopSignal: 'SIGTERM',
    start() {
      if (!existsSync(join(REPO_ROOT, WORKER_ENTRY))) {
        throw new StackError(
          worker.name,
          `${WORKER_ENTRY} does not exist: this checkout has no ingest worker yet; run with WORKERS=0`,
        );
      }
      // Node itself, not npm: the pid file holds the worker's own pid, so SIGTERM reaches its graceful stop.
      daemon(ctx, worker.name, {
        command: process.execPath,
        args: runBuilt(BUILT.worker),
        cwd: REPO_ROOT,
        env: { ...process.env, ...workerEnv(ctx.topology, worker, ctx.settings) },
      });
    },
    async ready() {
      return (await probe(`http://${worker.host}:${worker.port}/ready`)).status === 200;
    },
  };
}

/** Every worker of the topology as a part, in order (worker1, worker2, ...). */
export const workerParts = (ctx: Context): Part[] => ctx.topology.workers.map((w) => workerPart(ctx, w));
