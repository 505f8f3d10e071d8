import { RETRY_AFTER_METRICS, retryAfterPolicy } from '../client/retry-after';
import type { Environment } from '../environment';
import { Events } from '../events/events';
import type { startEngineMonitor } from '../monitor/engine-monitor';
import { AnnotationLog } from '../stats/annotations';
import { CustomMetrics } from '../stats/custom-metrics';
import { EndpointSeries } from '../stats/endpoint-series';
import { RequestStats } from '../stats/request-stats';
import { toSummary } from '../stats/summary';
import type { StopSummary, Summary } from '../stats/summary-types';
import { ArrivalRunner } from './arrival-runner';
import { ClosedRunner, EVERY_USER_STOPPED } from './closed-runner';
import { isRateTarget, type ShapeTarget } from './load-shape';
import { OfferedLoad } from './offered-load';
import type { LiveControl, RunOptions } from './run-options';
import type { RunPlan } from './run-plan';
import { WHOLE } from './segment';
import { sloBroken } from './slo-abort';

/** The engine monitor of `startEngineMonitor`. */
type EngineMonitor = ReturnType<typeof startEngineMonitor>;

import { stopCause } from './stop';

/**
 * One run while it goes: its environment, its statistics (swapped for fresh ones by a reset), the runner of its
 * load model (closed: users; open: arrivals) and what the once-a-second tick does. `runSwarm` builds one, starts it
 * and ends it; everything a running test is made of is here, and nothing of when it ends.
 */
export class ActiveRun {
  /** The current statistics: `resetStats` swaps in a fresh collector, and every reader goes through this field. */
  stats: RequestStats;
  /** With `endpointHistory`: the per-second history of every row, reset with the statistics. */
  endpointSeries: EndpointSeries | null;
  readonly events: Events;
  readonly env: Environment;
  /** The run's timeline marks: `environment.annotate`'s and, when shared, the CLI's. */
  readonly annotations: AnnotationLog;
  /** `environment.metrics`: reset with the statistics. */
  metrics: CustomMetrics;
  /** Resolves with the reason once something ends the run (run time, shape, users, quit, signal). */
  readonly ended: Promise<StopSummary>;
  private readonly closed: ClosedRunner | null;
  private readonly open: ArrivalRunner | null;
  private readonly first: ShapeTarget | null;
  /** Open model: what was offered and dropped each second (null for the closed model). */
  private readonly offered: OfferedLoad | null;
  private readonly unsubscribe: () => void;
  private end: (cause: StopSummary) => void = () => {};
  private t0 = 0;
  private lastProgress = 0;
  private sloMarked = false;
  /** Epoch ms of the last `request` event counted. */
  private lastEventAt = 0;

  constructor(
    private readonly options: RunOptions,
    private readonly plan: RunPlan,
    readonly startedAt: number,
  ) {
    this.events = options.events ?? new Events();
    this.stats = new RequestStats(startedAt);
    this.endpointSeries = options.endpointHistory ? new EndpointSeries() : null;
    const segment = options.segment ?? WHOLE;
    // Ids stay apart across workers, whose annotations their parent merges by id.
    this.annotations =
      options.annotations ?? new AnnotationLog(segment.count > 1 ? `w${segment.index + 1}-` : 'a');
    // With --honor-retry-after the wait counters are in every summary, 0 when nothing asked a user to wait.
    this.metrics = new CustomMetrics([
      ...(options.metrics ?? []),
      ...(options.honorRetryAfter ? RETRY_AFTER_METRICS : []),
    ]);
    this.unsubscribe = this.events.request.add((e) => {
      this.stats.record(e);
      this.endpointSeries?.record(e);
      this.lastEventAt = e.time;
    });
    this.ended = new Promise((resolve) => {
      this.end = resolve;
    });
    this.env = {
      events: this.events,
      host: options.host,
      instanceHeader: options.instanceHeader ?? 'x-instance',
      timeoutMs: options.timeoutMs ?? 30_000,
      localAddress: options.localAddress,
      onTaskError: (task, error) => this.stats.recordException(task, error),
      onInterrupted: () => {
        this.stats.interrupted++;
      },
      runner: null,
      setupData: options.setupData,
      annotate: (label, o) => this.annotations.annotate(label, { source: 'scenario', ...o }, Date.now()),
      endAnnotation: (id, at) => this.annotations.end(id, at ?? Date.now()),
      metrics: { add: (name, n) => this.metrics.add(name, n) },
      retryAfter: retryAfterPolicy(options.honorRetryAfter),
      onRetryAfterWait: (ms) => {
        this.metrics.add('retry_after_waits');
        // Whole milliseconds: integers add up exactly across users and workers, and print without float noise.
        this.metrics.add('retry_after_wait_ms', Math.round(ms));
      },
    };
    this.first = options.shape ? options.shape.tick(0) : null;
    const isOpen = options.rate !== undefined || (this.first !== null && isRateTarget(this.first));
    const offered = isOpen ? new OfferedLoad() : null;
    this.offered = offered;
    const second = () => Math.floor(Date.now() / 1000);
    const onQuit = (reason: string) =>
      this.finish(
        reason === EVERY_USER_STOPPED
          ? stopCause('users_stopped', 'every user stopped itself')
          : stopCause('quit', reason),
      );
    this.open = isOpen
      ? new ArrivalRunner(
          this.env,
          plan.kinds,
          segment,
          {
            maxUsers: Math.max(1, Math.ceil((options.maxUsers ?? 100) / segment.count)),
            maxDelayS: options.maxDelayS ?? 5,
            onIteration: () => {
              this.stats.iterations++;
            },
            onDropped: (n) => {
              this.stats.dropped += n;
              offered!.drop(second(), n);
            },
            onArrivals: (n) => offered!.arrive(second(), n),
          },
          onQuit,
        )
      : null;
    this.closed = isOpen
      ? null
      : new ClosedRunner(this.env, plan.kinds, segment, onQuit, options.stopTimeoutS ?? 0);
    this.env.runner = this.runner;
    if (options.resetStatsAfterSpawn) this.events.spawningComplete.add(() => this.resetStats());
  }

  /** The runner of this run's model. */
  get runner(): ClosedRunner | ArrivalRunner {
    return (this.open ?? this.closed)!;
  }

  /** Ends the run with `cause` (the first cause wins). */
  finish(cause: StopSummary): void {
    this.end(cause);
  }

  /** Starts the statistics afresh (as Locust's "reset stats"); users keep running. */
  resetStats(): void {
    this.stats = new RequestStats(Date.now());
    this.metrics = new CustomMetrics(this.options.metrics);
    if (this.endpointSeries !== null) this.endpointSeries = new EndpointSeries();
  }

  /** A summary of the run so far (a live one while it runs). */
  snapshot(): Summary {
    return this.withSeries(toSummary(this.stats, { nowMs: Date.now(), config: this.plan.config }));
  }

  /** Adds the per-row history and, in the open model, each second's offered and dropped iterations. */
  private withSeries(s: Summary): Summary {
    const timeSeries = this.offered === null ? s.timeSeries : this.offered.annotate(s.timeSeries);
    const out = { ...s, timeSeries, annotations: this.annotations.list(), metrics: this.metrics.snapshot() };
    return this.endpointSeries === null ? out : { ...out, endpointSeries: [...this.endpointSeries.points] };
  }

  /** The controls the web UI steers the run with. */
  control(): LiveControl {
    const run = this;
    return {
      get userCount() {
        return run.runner.userCount;
      },
      setUsers(users, spawnRate) {
        if (run.closed === null) throw new Error('the open model (--rate) has no user count to change');
        run.closed.setTarget(users, spawnRate);
      },
      resetStats: () => this.resetStats(),
      snapshot: () => this.snapshot(),
      usersByClass: () => this.runner.countsByClass(),
    };
  }

  /** Sends the first load: the shape's first target, else the users or the rate asked for. */
  start(now: number): void {
    this.t0 = now;
    this.lastProgress = now;
    const o = this.options;
    if (this.first !== null) this.apply(this.first);
    else if (o.shape) this.finish(stopCause('shape_end', 'the load shape ended'));
    else if (this.open) this.open.setRate(o.rate!);
    else this.closed!.setTarget(o.users ?? 1, o.spawnRate ?? o.users ?? 1);
  }

  /**
   * Once a second: closes the statistics' second, notes the engine's health, moves to the shape's next target
   * (or ends the run when it returns null) and, every `progressEveryS`, hands a live summary to `onProgress`.
   */
  tick(now: number, monitor: EngineMonitor): void {
    const nowMs = Date.now();
    this.stats.tick(nowMs, this.runner.userCount);
    this.endpointSeries?.closeBefore(Math.floor(nowMs / 1000));
    const engine = monitor.sample();
    this.stats.recordEngine(engine.midMs, engine.cpuPercent, engine.lagMs);
    const abortOn = this.options.abortOn;
    if (abortOn) {
      const points = this.stats.timeSeries.points;
      const recent = points.slice(-abortOn.breakSeconds);
      const broken = sloBroken(this.offered ? this.offered.annotate(recent) : recent, abortOn);
      if (broken !== null) {
        // Swarm's own mark on the timeline, once: where the run was stopped, and why.
        if (!this.sloMarked) {
          this.sloMarked = true;
          this.annotations.annotate(broken, { kind: 'swarm', source: 'swarm' }, Date.now());
        }
        this.finish(stopCause('slo_broken', broken));
      }
    }
    const shape = this.options.shape;
    if (shape) {
      const t = shape.tick((now - this.t0) / 1000);
      if (t === null) this.finish(stopCause('shape_end', 'the load shape ended'));
      else this.apply(t);
    }
    const every = (this.options.progressEveryS ?? 2) * 1000 - 50;
    if (this.options.onProgress && now - this.lastProgress >= every) {
      this.lastProgress = now;
      this.options.onProgress(this.snapshot());
    }
  }

  /**
   * Stops every user (up to the stop timeout for their current task) and returns the final summary: the last
   * partial second of engine samples included, then the stop cause, the run id and `testStop`.
   */
  async stop(cause: StopSummary, monitor: EngineMonitor): Promise<Summary> {
    const last = monitor.sample();
    this.stats.recordEngine(last.midMs, last.cpuPercent, last.lagMs);
    const usersAtEnd = this.runner.userCount;
    const stopTimeoutS = this.options.stopTimeoutS ?? 0;
    // The engine's health is the run's: without a stop timeout nothing that counts happens from here on, and the
    // teardown below (closing 10,000 connections holds the event loop for up to ~1.5 s on this machine, a socket's
    // close and an error's stack each) would otherwise be the run's lag max. With one, users finish their tasks
    // in it, which counts.
    const health = stopTimeoutS > 0 ? null : monitor.stop();
    const stopping = this.runner.stop(stopTimeoutS);
    // Without a stop timeout the users are stopped and their clients destroyed right here (what was in flight is
    // interrupted, counted apart): the run's clock ends now, or at a later event a user still fired (its onStop),
    // not once every socket has closed. That wait, 5-60 ms, counted as run time and lowered req/s (autocannon's
    // clock does not include its own teardown either). With a stop timeout, users finish their tasks: it counts.
    const stoppedAt = Date.now();
    await stopping;
    this.unsubscribe();
    const endedAt = stopTimeoutS > 0 ? Date.now() : Math.max(stoppedAt, this.lastEventAt);
    this.stats.finish(endedAt, usersAtEnd);
    this.endpointSeries?.closeBefore(Math.floor(endedAt / 1000) + 1);
    this.events.testStop.fire({ time: endedAt });
    const final = toSummary(this.stats, { config: this.plan.config, monitor: health ?? monitor.stop() });
    const { schema, ...summary } = this.withSeries(final);
    const runId = this.options.runId;
    return { schema, ...(runId !== undefined && { runId }), ...summary, stop: cause };
  }

  private apply(t: ShapeTarget): void {
    if (isRateTarget(t)) this.open?.setRate(t.rate);
    else this.closed?.setTarget(t.users, t.spawnRate);
  }
}
