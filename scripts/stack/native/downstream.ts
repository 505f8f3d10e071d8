import { json, probe } from '../http-probe';
import { downstreamUrl } from '../topology';
import { BUILT, runBuilt } from './build';
import { type Context, daemon, type Part, REPO_ROOT } from './parts';

/**
 * The overload lab's downstream service (services/downstream) in the native stack: started with every `up`, before
 * the replicas (whose /api/lab/downstream calls it), so `make up LAB=on` needs nothing more. It starts with its
 * own defaults (LATENCY_MS 10, JITTER_MS 5, ERROR_RATE 0, which DOWNSTREAM_LATENCY_MS, DOWNSTREAM_JITTER_MS and
 * DOWNSTREAM_ERROR_RATE override); `fault degrade downstream` changes its behaviour while it runs.
 */
export function downstreamPart(ctx: Context): Part {
  const { port, host } = ctx.topology.downstream;
  const base = downstreamUrl(ctx.topology);
  const env = process.env;
  return {
    name: 'downstream',
    port,
    portSetting: 'DOWNSTREAM_PORT',
    stopSignal: 'SIGTERM',
    start() {
      // Node itself, not npm: the pid file holds the service's own pid, so SIGTERM reaches its shutdown.
      daemon(ctx, 'downstream', {
        command: process.execPath,
        args: runBuilt(BUILT.downstream),
        cwd: REPO_ROOT,
        env: {
          ...env,
          HOST: host,
          PORT: String(port),
          INSTANCE_ID: 'downstream',
          LOG_LEVEL: ctx.settings.logLevel,
          LATENCY_MS: env.DOWNSTREAM_LATENCY_MS ?? '',
          JITTER_MS: env.DOWNSTREAM_JITTER_MS ?? '',
          ERROR_RATE: env.DOWNSTREAM_ERROR_RATE ?? '',
        },
      });
    },
    async ready() {
      const res = await probe(`${base}/health`);
      return res.status === 200 && json(res)?.instance === 'downstream';
    },
  };
}
