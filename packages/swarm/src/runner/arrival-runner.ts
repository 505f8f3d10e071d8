import type { Environment, RunnerControl } from '../environment';
import type { UserClass } from '../user/user';
import { spawnOrder } from './apportion';
import { owns, type Segment, WHOLE } from './segment';
import { type RunningUser, startUser, type UserKinds } from './user-pool';

export interface ArrivalOptions {
  /** Most users (concurrent iterations) this process may create. */
  maxUsers: number;
  /** An iteration still waiting for a free user this long after its intended start is dropped (seconds). */
  maxDelayS: number;
  onIteration(): void;
  onDropped(n: number): void;
}

/**
 * The open model: iterations (one task each) start on a fixed schedule — arrival k at k/rate — whether or not
 * earlier ones have answered. A late iteration waits for a free user from a pool capped at `maxUsers` and is
 * dropped (counted) once it is `maxDelayS` late. Response times run from the intended start (coordinated
 * omission corrected); the client keeps the plain service time beside them. A segment takes every n-th arrival.
 *
 * @example
 * const r = new ArrivalRunner(env, kinds, WHOLE, options, () => {});
 * r.setRate(200); ...; await r.stop(5);
 */
export class ArrivalRunner implements RunnerControl {
  private readonly all: RunningUser[] = [];
  private readonly free: RunningUser[] = [];
  /** Users in an iteration, with the promise of its end. */
  private readonly running = new Map<RunningUser, Promise<void>>();
  /** Intended start times (performance.now ms) of arrivals waiting for a user; `head` avoids shifting. */
  private queue: number[] = [];
  private head = 0;
  private rate = 0;
  private next = 0;
  private arrivals = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Resolves the wait of `stop` when the last running iteration ends. */
  private idle: (() => void) | null = null;
  private readonly order: number[];

  constructor(
    private readonly env: Environment,
    private readonly kinds: UserKinds,
    private readonly segment: Segment = WHOLE,
    private readonly options: ArrivalOptions,
    private readonly onQuit: (reason: string) => void,
  ) {
    this.order = spawnOrder(kinds.classes, Math.max(1, options.maxUsers));
  }

  /** Users busy with an iteration. */
  get userCount(): number {
    return this.running.size;
  }

  quit(reason = 'quit by a user'): void {
    this.onQuit(reason);
  }

  /** Sets the arrival rate of the whole run (all segments), iterations/s. */
  setRate(rate: number): void {
    if (this.stopped) return;
    const now = performance.now();
    if (this.rate === 0) this.next = now;
    this.rate = Math.max(0, rate);
    this.schedule(now);
  }

  private schedule(now: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    // A zero rate re-checks after 100 ms (a shape may raise it again).
    const delay = this.rate > 0 ? Math.max(0, this.next - now) : 100;
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.timer = null;
    const now = performance.now();
    if (this.rate > 0) {
      while (this.next <= now) {
        const intended = this.next;
        const k = this.arrivals++;
        this.next += 1000 / this.rate;
        if (owns(this.segment, k)) this.arrive(intended, now);
      }
    }
    this.dropExpired(now);
    this.schedule(now);
  }

  private arrive(intended: number, now: number): void {
    const user = this.free.pop() ?? this.create();
    if (user === null) this.queue.push(intended);
    else this.start(user, intended, now);
  }

  private create(): RunningUser | null {
    if (this.all.length >= this.options.maxUsers) return null;
    const i = this.all.length;
    const cls: UserClass = this.kinds.classes[this.order[i]!]!;
    const u = startUser(this.env, this.kinds, cls, i, false);
    this.all.push(u);
    return u;
  }

  private start(u: RunningUser, intended: number, now: number): void {
    this.options.onIteration();
    u.user.setLateness(Math.max(0, now - intended));
    this.running.set(
      u,
      u.loop.iterate().then(() => this.release(u)),
    );
  }

  private release(u: RunningUser): void {
    this.running.delete(u);
    if (this.stopped) {
      if (this.running.size === 0) this.idle?.();
      return;
    }
    const now = performance.now();
    this.dropExpired(now);
    if (this.head < this.queue.length) {
      const intended = this.queue[this.head++]!;
      this.compact();
      this.start(u, intended, now);
    } else {
      this.free.push(u);
    }
  }

  private dropExpired(now: number): void {
    const limit = now - this.options.maxDelayS * 1000;
    let dropped = 0;
    while (this.head < this.queue.length && this.queue[this.head]! < limit) {
      this.head++;
      dropped++;
    }
    if (dropped > 0) {
      this.options.onDropped(dropped);
      this.compact();
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Stops the schedule; iterations never started are dropped; running ones get `stopTimeoutS` to finish, then
   * are aborted (their requests counted as interrupted). Every user that ran `onStart` runs `onStop`: an idle one
   * before its connection closes, an aborted one once its iteration has unwound.
   */
  async stop(stopTimeoutS: number): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const waiting = this.queue.length - this.head;
    if (waiting > 0) this.options.onDropped(waiting);
    this.queue = [];
    this.head = 0;
    if (stopTimeoutS > 0 && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, stopTimeoutS * 1000);
      });
      clearTimeout(timer);
    }
    for (const u of this.all) u.loop.stop();
    const cut = [...this.running.entries()];
    for (const [u, iteration] of cut) {
      void iteration.then(() => u.loop.end());
    }
    await Promise.all([
      ...cut.map(([u]) => u.user.dispose(true)),
      ...this.all
        .filter((u) => !this.running.has(u))
        .map(async (u) => {
          await u.loop.end();
          await u.user.dispose(false);
        }),
    ]);
    for (const u of this.all) u.finished = true;
  }
}
