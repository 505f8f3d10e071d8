import type { Events } from './events/events';

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
}
