import type { LiveControl } from '../runner/run-options';
import type { Summary } from '../stats/summary-types';
import type { StartInput } from './form';

export type RunState = 'ready' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What the UI hands to the code that actually runs a test. */
export interface RunHooks {
  signal: AbortSignal;
  onControl: (control: LiveControl) => void;
}

/**
 * Runs one test from the UI's input — the caller's business: setup, `runSwarm`, thresholds, teardown, reports on
 * disk — and resolves with the final summary.
 */
export type StartRun = (input: StartInput, hooks: RunHooks) => Promise<Summary>;

/**
 * The one test the web UI drives at a time: start, change users, reset statistics, stop; the latest summary
 * (live while running, final afterwards) and a change signal for the page. No I/O of its own.
 *
 * @example
 * const live = new LiveRun(startRun); live.start({ users: 10, spawnRate: 2, host, userClasses }); await live.stop();
 */
export class LiveRun {
  state: RunState = 'ready';
  /** The last run's failure (e.g. its setup threw), shown on the page. */
  error: string | null = null;
  input: StartInput | null = null;
  private control: LiveControl | null = null;
  private abort: AbortController | null = null;
  private final: Summary | null = null;
  private finished: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly startRun: StartRun) {}

  get busy(): boolean {
    return this.state === 'starting' || this.state === 'running' || this.state === 'stopping';
  }

  get userCount(): number {
    return this.control?.userCount ?? 0;
  }

  /** Users running now per class name; null when nothing runs. */
  usersByClass(): Record<string, number> | null {
    return this.control?.usersByClass?.() ?? null;
  }

  /** Starts a run; throws when one is already going. */
  start(input: StartInput): void {
    if (this.busy) throw new Error('a run is already going: stop it first');
    const abort = new AbortController();
    Object.assign(this, { abort, input, final: null, error: null, state: 'starting' });
    const onControl = (control: LiveControl) => {
      this.control = control;
      if (this.state === 'starting') this.state = 'running';
      this.notify();
    };
    this.finished = this.startRun(input, { signal: abort.signal, onControl }).then(
      (summary) => {
        this.final = summary;
      },
      (err: unknown) => {
        this.error = err instanceof Error ? err.message : String(err);
      },
    );
    void this.finished.finally(() => {
      this.state = 'stopped';
      this.control = null;
      this.notify();
    });
    this.notify();
  }

  /** Moves the running test to `users` at `spawnRate` users/s; throws when nothing runs. */
  setUsers(users: number, spawnRate: number): void {
    if (this.control === null) throw new Error('no run is going');
    this.control.setUsers(users, spawnRate);
    if (this.input) this.input = { ...this.input, users, spawnRate };
    this.notify();
  }

  /** Starts the statistics afresh; after a run it forgets that run's results. */
  resetStats(): void {
    if (this.control) this.control.resetStats();
    else this.final = null;
    this.notify();
  }

  /** Stops the run (if any) and resolves once its final summary is in. */
  async stop(): Promise<void> {
    if (this.abort && this.busy) {
      this.state = 'stopping';
      this.abort.abort();
      this.notify();
    }
    await this.finished;
  }

  /** The live summary while running, the final one after, null before the first run (or after a reset). */
  summary(): Summary | null {
    return this.control ? this.control.snapshot() : this.final;
  }

  /** Calls `listener` on every change of state; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
