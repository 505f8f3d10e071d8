/**
 * Event-loop delay as a shedding signal. A timer due every `intervalMs` fires late by as long as the loop was
 * busy; that lateness is the lag. Above `thresholdMs` the replica counts as overloaded, and stays so for as long as
 * the loop was late (at most `holdMs`) after the last late tick: the requests that queued during a block are read
 * only after the tick that saw it, maybe a loop turn or two later, and must still find the replica overloaded, while
 * one late tick of a cold start or a garbage collection sheds for tens of milliseconds, not a whole second.
 *
 * Ticks alone see a block only once it is over: the requests read in one busy loop turn would all find the replica
 * well, and a burst of CPU-heavy ones would run back to back, each accepted behind the last. `overloadedAt(now)`
 * also asks how long the loop has been away: once the last tick ran more than `thresholdMs` ago, the loop has been
 * busy (or due and not come round) for longer than the threshold, and the next request is shed within the same turn.
 * The work one turn accepts is so bounded by the threshold plus one request, and so is the wait of `/health` behind
 * it. (Counting from the tick's due time instead would let a turn run `intervalMs` longer: measured on the cpu lab,
 * /health p99 94 ms at a 20 ms interval against 50 ms wanted.) The interval must stay well under the threshold, or
 * an idle loop between two ticks would look busy: `startLagMonitor` samples every 10 ms (5 ms under a 20 ms
 * threshold).
 */
export interface LagMonitorOptions {
  /** SHED_LAG_MS: a tick this late (ms) marks the replica overloaded. */
  thresholdMs: number;
  /**
   * How often the loop is sampled (default 10 ms, at most half the threshold: a timer callback 100 times a second
   * costs nothing measurable).
   */
  intervalMs?: number;
  /**
   * The longest the replica stays overloaded after the last late tick (default 1000 ms, as `Retry-After: 1`); a
   * tick late by less keeps it overloaded for that lateness.
   */
  holdMs?: number;
}

/** 10 ms, or half the threshold when that is less (at least 1 ms). */
function defaultInterval(thresholdMs: number): number {
  return Math.max(1, Math.min(10, Math.floor(thresholdMs / 2)));
}

/** The pure core: fed the times ticks ran, says whether the replica is overloaded and how late the last tick was. */
export class LagState {
  overloaded = false;
  /** How late the last tick ran, in ms (0 when on time). */
  lagMs = 0;
  /** How many times the replica turned overloaded. */
  episodes = 0;
  #expected: number;
  #lastTick: number;
  /** How late the tick that put the replica in its overloaded hold ran (ms). */
  #heldLag = 0;
  #overloadedUntil = Number.NEGATIVE_INFINITY;
  readonly #threshold: number;
  readonly #interval: number;
  readonly #hold: number;

  constructor(
    start: number,
    { thresholdMs, intervalMs = defaultInterval(thresholdMs), holdMs = 1000 }: LagMonitorOptions,
  ) {
    this.#threshold = thresholdMs;
    this.#interval = intervalMs;
    this.#hold = holdMs;
    this.#lastTick = start;
    this.#expected = start + intervalMs;
  }

  /**
   * Whether the replica is overloaded at `now` (ms, monotonic): overloaded since a late tick, or busy right now
   * (the last tick ran more than the threshold ago). With `factor` the threshold is that many times higher, for
   * work that is shed later than the rest (cheap routes, shed.ts): overloaded only if the tick that began the hold
   * ran that late, or the loop has been away that long now.
   */
  overloadedAt(now: number, factor = 1): boolean {
    const threshold = this.#threshold * factor;
    return (this.overloaded && this.#heldLag > threshold) || now - this.#lastTick > threshold;
  }

  /** A tick ran at `now` (ms, monotonic); the next one is due `intervalMs` after it. */
  tick(now: number): void {
    this.lagMs = Math.max(0, now - this.#expected);
    this.#lastTick = now;
    this.#expected = now + this.#interval;
    if (this.lagMs > this.#threshold) {
      if (!this.overloaded) this.episodes++;
      this.overloaded = true;
      this.#heldLag = this.lagMs;
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
  const intervalMs = options.intervalMs ?? defaultInterval(options.thresholdMs);
  const state = new LagState(performance.now(), { ...options, intervalMs });
  const timer = setInterval(() => state.tick(performance.now()), intervalMs);
  timer.unref();
  return { state, stop: () => clearInterval(timer) };
}
