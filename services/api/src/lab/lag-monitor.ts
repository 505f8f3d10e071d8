/**
 * Event-loop delay as a shedding signal. A timer due every `intervalMs` fires late by as long as the loop was
 * busy; that lateness is the lag. Above `thresholdMs` the replica counts as overloaded, and stays so for as long as
 * the loop was late (at most `holdMs`) after the last late tick: the requests that queued during a block are read
 * only after the tick that saw it, maybe a loop turn or two later, and must still find the replica overloaded, while
 * one late tick of a cold start or a garbage collection sheds for tens of milliseconds, not a whole second.
 *
 * Ticks alone see a block only once it is over: the requests read in one busy loop turn would all find the replica
 * well, and a burst of CPU-heavy ones would run back to back, each accepted behind the last. `overloadedAt(now)`
 * also counts the tick that is due but has not run yet: once it is more than `thresholdMs` overdue, the loop is that
 * late now, and the next request is shed within the same turn. The work one turn accepts is so bounded by the
 * threshold (plus one request), and so is the wait of `/health` behind it.
 */
export interface LagMonitorOptions {
  /** SHED_LAG_MS: a tick this late (ms) marks the replica overloaded. */
  thresholdMs: number;
  /** How often the loop is sampled (default 20 ms: a timer callback 50 times a second costs nothing measurable). */
  intervalMs?: number;
  /**
   * The longest the replica stays overloaded after the last late tick (default 1000 ms, as `Retry-After: 1`); a
   * tick late by less keeps it overloaded for that lateness.
   */
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
  #overloadedUntil = Number.NEGATIVE_INFINITY;
  readonly #threshold: number;
  readonly #interval: number;
  readonly #hold: number;

  constructor(start: number, { thresholdMs, intervalMs = 20, holdMs = 1000 }: LagMonitorOptions) {
    this.#threshold = thresholdMs;
    this.#interval = intervalMs;
    this.#hold = holdMs;
    this.#expected = start + intervalMs;
  }

  /**
   * Whether the replica is overloaded at `now` (ms, monotonic): overloaded since a late tick, or late right now
   * (the next tick more than the threshold overdue).
   */
  overloadedAt(now: number): boolean {
    return this.overloaded || now - this.#expected > this.#threshold;
  }

  /** A tick ran at `now` (ms, monotonic); the next one is due `intervalMs` after it. */
  tick(now: number): void {
    this.lagMs = Math.max(0, now - this.#expected);
    this.#expected = now + this.#interval;
    if (this.lagMs > this.#threshold) {
      if (!this.overloaded) this.episodes++;
      this.overloaded = true;
      this.#overloadedUntil = now + Math.min(this.#hold, this.lagMs);
    } else if (this.overloaded && now >= this.#overloadedUntil) {
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
