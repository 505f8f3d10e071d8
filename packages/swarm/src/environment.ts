import type { RetryAfterPolicy } from './client/retry-after';
import type { Events } from './events/events';
import type { AnnotateOptions } from './stats/annotations';
import type { MetricsRecorder } from './stats/custom-metrics';

/** What the runner exposes to users: the live user count and a way to end the whole test. */
export interface RunnerControl {
  readonly userCount: number;
  /** Ends the test (all users stop; reports are written). */
  quit(reason?: string): void;
}

/**
 * The run's shared context, passed to every user (`this.environment`): events, the target host and the
 * client settings. One per run, never global, so several runs can share a process (as the tests do).
 */
export interface Environment {
  events: Events;
  /** `--host`; overrides a class's `static host`. */
  host: string | undefined;
  /** Response header that names the replica; default `x-instance`. */
  instanceHeader: string;
  /** Default request timeout of every client. */
  timeoutMs: number;
  /** The local address every client's connections are bound to (`--source-address`); absent: the system's. */
  localAddress?: string;
  /** Counts an exception thrown by a task (the user goes on). */
  onTaskError(task: string, error: unknown): void;
  /**
   * Counts a request cut short by a forced stop (end of the test, or a ramp-down past `--stop-timeout`): it was
   * sent, so the target may have counted it, but it has no response and is in no statistic. Called unbound.
   */
  onInterrupted: () => void;
  runner: RunnerControl | null;
  /** What the scenario's `setup()` returned (undefined without one). */
  setupData: unknown;
  /**
   * Marks the run's timeline (kept in `summary.annotations`, drawn on every chart): an instant now, or at
   * `options.at`; a window with `options.end`, or closed later by `endAnnotation(id)`. `kind: 'fault'` makes it a
   * fault window that recovery is measured for. Returns its id. Works in `--processes` workers too.
   *
   * @example
   * const id = this.environment.annotate('cache flushed', { kind: 'note' });
   */
  annotate(label: string, options?: AnnotateOptions): string;
  /** Closes the window `id` (from `annotate`) now, or at `at` (epoch ms). */
  endAnnotation(id: string, at?: number): void;
  /** Custom counters (k6's Counter), e.g. `this.environment.metrics.add('stale_reads')`: `summary.metrics`. */
  metrics: MetricsRecorder;
  /**
   * `--honor-retry-after` (`options.honorRetryAfter`): every HTTP user waits out a 429's or 503's Retry-After;
   * null or absent: only the classes with `static honorRetryAfter = true` do.
   */
  retryAfter?: RetryAfterPolicy | null;
  /** Records one honoured Retry-After wait (`retry_after_waits`, `retry_after_wait_ms`). Called unbound. */
  onRetryAfterWait?: (ms: number) => void;
}
