import type { Events } from '../events/events';
import type { AnnotationLog } from '../stats/annotations';
import type { UserClass } from '../user/user';
import type { LoadShape } from './load-shape';
import type { Segment } from './segment';
import type { AbortOn } from './slo-abort';

/** Everything one run needs; the CLI builds it from flags and the scenario, tests build it directly. */
export interface RunOptions {
  /** The user classes to spawn (weights and fixed counts on the classes). */
  classes: UserClass[];
  /** Overrides the classes' `static host`. */
  host?: string;
  /** Closed model: users of the whole run (all segments). Default 1. */
  users?: number;
  /** Users started per second (whole run). Default: `users` (all in the first second). */
  spawnRate?: number;
  /** Open model: iterations per second of the whole run; selects the open model. */
  rate?: number;
  /** Open model: most concurrent users (whole run). Default 100. */
  maxUsers?: number;
  /** Open model: an arrival waiting longer than this (s) is dropped. Default 5. */
  maxDelayS?: number;
  /** Stop after this many seconds; default: run until `signal` aborts, the shape ends or a user quits. */
  runTimeS?: number;
  /** Seconds users get to finish their current task at the end; then in-flight requests are aborted. Default 0. */
  stopTimeoutS?: number;
  /** A load shape replaces users/spawnRate (or rate) and ends the run when it returns null. */
  shape?: LoadShape;
  tags?: string[];
  excludeTags?: string[];
  /** Default `x-instance`. */
  instanceHeader?: string;
  /** Default request timeout; 30 s. */
  timeoutMs?: number;
  /**
   * Every HTTP user waits out a 429's or 503's Retry-After (at most `maxMs`, default 30 s) before going on; the
   * time waited is counted in `summary.metrics` (retry_after_waits, retry_after_wait_ms). Default: off (only
   * classes with `static honorRetryAfter = true`).
   */
  honorRetryAfter?: boolean | { maxMs?: number };
  segment?: Segment;
  /**
   * Epoch ms: the run waits until then before its first user starts (`--start-at`; segments started on several
   * machines begin together). Aborting `signal` during the wait ends the run with nothing sent. Default: at once.
   */
  startAt?: number;
  /** The local IP address every connection is bound to (`--source-address`; undici's `localAddress`). */
  localAddress?: string;
  /**
   * Aborting stops the run; reports are still produced (Ctrl-C). Abort with `stopCause(reason, detail)` to say
   * why in `summary.stop` (e.g. `stopCause('signal', 'SIGTERM')`); any other reason is recorded as `stopped`.
   */
  signal?: AbortSignal;
  /** The run's id, shared by its segments (`summary.runId`); none by default. */
  runId?: string;
  /** Starts the statistics afresh each time the users are all spawned (Locust's `--reset-stats`). Default false. */
  resetStatsAfterSpawn?: boolean;
  /** Keeps a per-second history of every row (`summary.endpointSeries`, for `--csv-full-history`). Default false. */
  endpointHistory?: boolean;
  /**
   * Stops the run once the SLO has been broken for `breakSeconds` complete seconds in a row (k6's abortOnFail), with
   * stop reason `slo_broken`; judged once a second by capacity's `shouldAbort`. None by default.
   */
  abortOn?: AbortOn;
  /**
   * Where `environment.annotate` writes, shared with whoever else marks this run (the CLI's `--annotations` file,
   * `setup()`); default: the run's own. Its annotations are `summary.annotations`.
   */
  annotations?: AnnotationLog;
  /** Custom counter names declared up front (`options.metrics`): 0 in `summary.metrics` until counted. */
  metrics?: readonly string[];
  /** The scenario's setup result, handed to every user as `environment.setupData`. */
  setupData?: unknown;
  /** Bring your own events to add listeners before the start. */
  events?: Events;
  /** Called every `progressEveryS` (2 s) with a live summary. */
  onProgress?: (summary: import('../stats/summary-types').Summary) => void;
  progressEveryS?: number;
  /**
   * Warm the engine up before the clock starts: a short test of its own against a server in this process (never
   * the target; nothing of it is counted), so the first requests that count do not run on V8's cold code
   * (runner/warm-up.ts). `true` for the default size; the CLI turns it on unless `--no-warm-up`. Default: off.
   */
  warmUp?: boolean | Partial<import('./warm-up').WarmUpSize>;
  /** Called once the warm-up is over, before the clock starts (the CLI's progress line). */
  onWarmUp?: (result: import('./warm-up').WarmUpResult) => void;
  /** Called once, as the run starts, with a handle to steer it while it runs (the web UI's controls). */
  onControl?: (control: LiveControl) => void;
}

/** Steers a running test; see `RunOptions.onControl`. */
export interface LiveControl {
  /** Users running in this process now. */
  readonly userCount: number;
  /** The same per user class name (the generator's `/metrics`); absent where a control cannot tell. */
  usersByClass?(): Record<string, number>;
  /** Closed model: move to `users` at `spawnRate` users/s (a load shape overrides it at its next tick). */
  setUsers(users: number, spawnRate: number): void;
  /** Starts the statistics afresh (as Locust's "reset stats"); users keep running. */
  resetStats(): void;
  /** A live summary of the run so far. */
  snapshot(): import('../stats/summary-types').Summary;
}
