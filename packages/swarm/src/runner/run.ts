import { startEngineMonitor } from '../monitor/engine-monitor';
import type { Summary } from '../stats/summary-types';
import { ActiveRun } from './active-run';
import type { RunOptions } from './run-options';
import { planRun } from './run-plan';
import { waitUntil } from './start-at';
import { causeOfAbort, stopCause } from './stop';

/**
 * Runs a load test in this process and resolves with its `Summary` when it ends: after `runTimeS`, when the
 * shape returns null, when every user has stopped itself, when `signal` aborts (Ctrl-C; abort with `stopCause`
 * to say why) or when a user calls `environment.runner.quit()` — `summary.stop` says which. A run that cannot
 * start as configured (no host, tags that match no task) throws a `RunConfigError` before any user starts.
 * Thresholds are the caller's business (they evaluate the summary).
 *
 * @example
 * const summary = await runSwarm({ classes: [Reader], host: 'http://127.0.0.1:8080', users: 20, runTimeS: 30 });
 * console.log(summary.total.percentiles['95'], summary.stop?.reason); // 212 'run_time'
 */
export async function runSwarm(options: RunOptions): Promise<Summary> {
  const plan = planRun(options);
  // Planned first (a run that cannot start says so at once), then the wait for --start-at.
  if (options.startAt !== undefined) await waitUntil(options.startAt, options.signal);
  const startedAt = Date.now();
  const run = new ActiveRun(options, plan, startedAt);
  options.onControl?.(run.control());

  const monitor = startEngineMonitor();
  run.events.testStart.fire({ time: startedAt });
  run.start(performance.now());
  const everySecond = setInterval(() => run.tick(performance.now(), monitor), 1000);
  const runTimeS = options.runTimeS;
  const runTimer =
    runTimeS !== undefined
      ? setTimeout(() => run.finish(stopCause('run_time', `run time ${runTimeS}s reached`)), runTimeS * 1000)
      : null;
  const signal = options.signal;
  const onAbort = () => run.finish(causeOfAbort(signal!));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const cause = await run.ended;
  clearInterval(everySecond);
  if (runTimer !== null) clearTimeout(runTimer);
  signal?.removeEventListener('abort', onAbort);
  return run.stop(cause, monitor);
}
