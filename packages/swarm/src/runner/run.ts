import type { Environment } from '../environment';
import { Events } from '../events/events';
import { startEngineMonitor } from '../monitor/engine-monitor';
import { RequestStats } from '../stats/request-stats';
import { toSummary } from '../stats/summary';
import type { RunConfigSummary, Summary } from '../stats/summary-types';
import { HttpUser } from '../user/http-user';
import { planTasks, type TaskPlan } from '../user/task-plan';
import type { UserClass } from '../user/user';
import { ArrivalRunner } from './arrival-runner';
import { isRateTarget, type ShapeTarget } from './load-shape';
import { LocalRunner } from './local-runner';
import type { RunOptions } from './run-options';
import { formatSegment, ownedCount, WHOLE } from './segment';
import type { UserKinds } from './user-pool';

/** Resolves the tasks of every class once; a class left without tasks by the tag filters is not spawned. */
function resolveKinds(options: RunOptions): UserKinds {
  if (options.classes.length === 0) throw new Error('no user classes to run');
  const plans = new Map<UserClass, TaskPlan[]>();
  for (const cls of options.classes) {
    const plan = planTasks(cls, { tags: options.tags, excludeTags: options.excludeTags });
    if (plan.length > 0) plans.set(cls, plan);
    if (!options.host && !cls.host && cls.prototype instanceof HttpUser) {
      throw new Error(`${cls.name} has no host: pass --host or set static host`);
    }
  }
  const classes = options.classes.filter((c) => plans.has(c));
  if (classes.length === 0) throw new Error('no tasks left to run (check --tags / --exclude-tags)');
  return { classes, plans };
}

/** The run's settings as this process ran them: a segment reports its own share, so merges add up. */
function configOf(options: RunOptions, kinds: UserKinds): RunConfigSummary {
  const open = options.rate !== undefined;
  const segment = options.segment ?? WHOLE;
  const users = options.users ?? 1;
  return {
    host: options.host ?? kinds.classes.map((c) => c.host).find((h) => h) ?? '',
    users: open ? null : ownedCount(segment, users),
    spawnRate: open ? null : (options.spawnRate ?? users) / segment.count,
    rate: options.rate === undefined ? null : options.rate / segment.count,
    runTimeS: options.runTimeS ?? null,
    processes: 1,
    segment: options.segment ? formatSegment(options.segment) : null,
    instanceHeader: options.instanceHeader ?? 'x-instance',
    userClasses: kinds.classes.map((c) => c.name),
  };
}

/**
 * Runs a load test in this process and resolves with its `Summary` when it ends: after `runTimeS`, when the
 * shape returns null, when `signal` aborts (Ctrl-C) or when a user calls `environment.runner.quit()`.
 * Thresholds are the caller's business (they evaluate the summary).
 *
 * @example
 * const summary = await runSwarm({ classes: [Reader], host: 'http://127.0.0.1:8080', users: 20, runTimeS: 30 });
 * console.log(summary.total.requests, summary.total.percentiles['95']);
 */
export async function runSwarm(options: RunOptions): Promise<Summary> {
  const kinds = resolveKinds(options);
  const events = options.events ?? new Events();
  const startedAt = Date.now();
  // `let`: resetting the statistics swaps in a fresh collector; every closure below reads the current one.
  let stats = new RequestStats(startedAt);
  const unsubscribe = events.request.add((e) => stats.record(e));
  let finish: (reason: string) => void = () => {};
  const ended = new Promise<string>((resolve) => {
    finish = resolve;
  });
  const env: Environment = {
    events,
    host: options.host,
    instanceHeader: options.instanceHeader ?? 'x-instance',
    timeoutMs: options.timeoutMs ?? 30_000,
    onTaskError: (task, error) => stats.recordException(task, error),
    onInterrupted: () => {
      stats.interrupted++;
    },
    runner: null,
    setupData: options.setupData,
  };
  const segment = options.segment ?? WHOLE;
  const first: ShapeTarget | null = options.shape ? options.shape.tick(0) : null;
  const open = options.rate !== undefined || (first !== null && isRateTarget(first));
  const arrival = open
    ? new ArrivalRunner(
        env,
        kinds,
        segment,
        {
          maxUsers: Math.max(1, Math.ceil((options.maxUsers ?? 100) / segment.count)),
          maxDelayS: options.maxDelayS ?? 5,
          onIteration: () => {
            stats.iterations++;
          },
          onDropped: (n) => {
            stats.dropped += n;
          },
        },
        finish,
      )
    : null;
  const local = open ? null : new LocalRunner(env, kinds, segment, finish, options.stopTimeoutS ?? 0);
  const runner = (arrival ?? local)!;
  env.runner = runner;
  const apply = (t: ShapeTarget) => {
    if (isRateTarget(t)) arrival?.setRate(t.rate);
    else local?.setTarget(t.users, t.spawnRate);
  };

  options.onControl?.({
    get userCount() {
      return runner.userCount;
    },
    setUsers: (users, spawnRate) => {
      if (local === null) throw new Error('the open model (--rate) has no user count to change');
      local.setTarget(users, spawnRate);
    },
    resetStats: () => {
      stats = new RequestStats(Date.now());
    },
    snapshot: () => toSummary(stats, { nowMs: Date.now(), config: configOf(options, kinds) }),
  });

  const monitor = startEngineMonitor();
  events.testStart.fire({ time: startedAt });
  const t0 = performance.now();
  if (first !== null) apply(first);
  else if (options.shape) finish('the shape ended');
  else if (arrival) arrival.setRate(options.rate!);
  else local!.setTarget(options.users ?? 1, options.spawnRate ?? options.users ?? 1);

  let lastProgress = t0;
  const everySecond = setInterval(() => {
    const now = performance.now();
    stats.tick(Date.now(), runner.userCount);
    const engine = monitor.sample();
    stats.recordEngine(engine.midMs, engine.cpuPercent, engine.lagMs);
    if (options.shape) {
      const t = options.shape.tick((now - t0) / 1000);
      if (t === null) finish('the shape ended');
      else apply(t);
    }
    if (options.onProgress && now - lastProgress >= (options.progressEveryS ?? 2) * 1000 - 50) {
      lastProgress = now;
      options.onProgress(toSummary(stats, { nowMs: Date.now(), config: configOf(options, kinds) }));
    }
  }, 1000);
  const runTimer =
    options.runTimeS !== undefined
      ? setTimeout(() => finish('run time reached'), options.runTimeS * 1000)
      : null;
  const onAbort = () => finish('interrupted');
  if (options.signal?.aborted) finish('interrupted');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  await ended;
  clearInterval(everySecond);
  // The last (partial) interval too, so the final seconds of the charts have the engine's numbers.
  const lastEngine = monitor.sample();
  stats.recordEngine(lastEngine.midMs, lastEngine.cpuPercent, lastEngine.lagMs);
  if (runTimer !== null) clearTimeout(runTimer);
  options.signal?.removeEventListener('abort', onAbort);
  const usersAtEnd = runner.userCount;
  await runner.stop(options.stopTimeoutS ?? 0);
  unsubscribe();
  const endedAt = Date.now();
  stats.finish(endedAt, usersAtEnd);
  events.testStop.fire({ time: endedAt });
  return toSummary(stats, { config: configOf(options, kinds), monitor: monitor.stop() });
}
