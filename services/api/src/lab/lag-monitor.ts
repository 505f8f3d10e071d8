/**
 * Event-loop delay as a shedding signal. A timer due every `intervalMs` fires late by as long as the loop was
 * busy; that lateness is the lag. Above `thresholdMs` the replica counts as overloaded, and stays so until `holdMs`
 * pass without another late tick: the requests that queued during a long block are read only after the tick that
 * saw it, maybe a loop turn or two later, and must still find the replica overloaded.
 */
export interface LagMonitorOptions {
  /** SHED_LAG_MS: a tick this late (ms) marks the replica overloaded. */
  thresholdMs: number;
  /** How often the loop is sampled (default 20 ms: a timer callback 50 times a second costs nothing measurable). */
  intervalMs?: number;
  /** How long the replica stays overloaded after the last late tick (default 1000 ms, as `Retry-After: 1`). */
  holdMs?: number;
}

/** The pure core: fed the times ticks ran, says whether the replica is overloaded and how late the last tick was. */
export class LagState {
  overloaded = false;
  /** How late the last tick ran, in ms (0 when on time). */
  lagMs = 0;
  /** How many times the replica turned overloaded. */
  episodes = 0;
  #expected: number;
  #lastHighAt = Number.NEGATIVE_INFINITY;
  readonly #threshold: number;
  readonly #interval: number;
  readonly #hold: number;

  constructor(start: number, { thresholdMs, intervalMs = 20, holdMs = 1000 }: LagMonitorOptions) {
    this.#threshold = thresholdMs;
    this.#interval = intervalMs;
    this.#hold = holdMs;
    this.#expected = start + intervalMs;
  }

  /** A tick ran at `now` (ms, monotonic); the next one is due `intervalMs` after it. */
  tick(now: number): void {
    this.lagMs = Math.max(0, now - this.#expected);
    this.#expected = now + this.#interval;
    if (this.lagMs > this.#threshold) {
      if (!this.overloaded) this.episodes++;
      this.overloaded = true;
      this.#lastHighAt = now;
    } else if (this.overloaded && now - this.#lastHighAt >= this.#hold) {
      this.overloaded = false;
    }
  }
}

export interface LagMonitor {
  readonly state: LagState;
  stop(): void;
}

/** Starts sampling the event loop (an unref'd timer: it never keeps the process alive). */
export function startLagMonitor(options: LagMonitorOptions): LagMonitor {
  const state = new LagState(performance.now(), options);
  const timer = setInterval(() => state.tick(performance.now()), options.intervalMs ?? 20);
  timer.unref();
  return { state, stop: () => clearInterval(timer) };
}
