import { startEngineMonitor } from '../monitor/engine-monitor';
import type { Summary } from '../stats/summary-types';
import { ActiveRun } from './active-run';
import type { RunOptions } from './run-options';
import { planRun } from './run-plan';
import { waitUntil } from './start-at';
import { causeOfAbort, stopCause } from './stop';
import { DEFAULT_WARM_UP, FIRST_ROUND, startWarmUpServer, type WarmUpResult, warmUpUser } from './warm-up';

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
  // Planned first (a run that cannot start says so at once), then the warm-up, then the wait for --start-at (so
  // processes that start together still do).
  if (options.warmUp) {
    const warmed = await warmUp(options);
    options.onWarmUp?.(warmed);
  }
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

/**
 * Runs the warm-up test (runner/warm-up.ts): the engine's own user class against a loopback server, as a run of its
 * own with its own events and statistics, thrown away. Ctrl-C during it ends it at once; a failing warm-up only
 * means a colder start, so its errors are not the run's.
 */
async function warmUp(options: RunOptions): Promise<WarmUpResult> {
  const size = { ...DEFAULT_WARM_UP, ...(options.warmUp === true ? {} : options.warmUp) };
  const started = performance.now();
  const deadline = started + size.budgetMs;
  const server = await startWarmUpServer();
  let requests = 0;
  try {
    // Two rounds: the first, short one's end (its connections closing) changes what V8 would assume of undici's
    // objects (their fields' types), which would drop code optimised before it; the second then compiles on what
    // stays true, and its own end changes nothing the run's code depends on.
    for (let round = 0; round < 2 && !options.signal?.aborted; round++) {
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) break;
      const user = warmUpUser(round === 0 ? FIRST_ROUND : size.requests);
      try {
        await runSwarm({
          classes: [user],
          host: server.url,
          users: size.users,
          spawnRate: size.users * 1000,
          runTimeS: leftMs / 1000,
          // The run's source address where it can reach this loopback server, so the same connect path warms.
          localAddress: options.localAddress?.startsWith('127.') ? options.localAddress : undefined,
          signal: options.signal,
        });
      } finally {
        requests += user.answered;
      }
    }
  } catch {
    // A colder start, nothing worse.
  } finally {
    await server.close();
  }
  return { requests, ms: performance.now() - started };
}
