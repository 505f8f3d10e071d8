import type { Environment, RunnerControl } from '../environment';
import { DeficitSequence } from './apportion';
import { ArrivalPool } from './arrival-pool';
import { type Segment, SegmentDealer, WHOLE } from './segment';
import type { RunningUser, UserKinds } from './user-pool';

export interface ArrivalOptions {
  /** Most users (concurrent iterations) this process may create. */
  maxUsers: number;
  /** An iteration still waiting for a free user this long after its intended start is dropped (seconds). */
  maxDelayS: number;
  onIteration(): void;
  onDropped(n: number): void;
  /** `n` arrivals of this segment came due (the offered load), called at most once per timer wake-up. */
  onArrivals?(n: number): void;
}

/**
 * The open model: iterations (one task each) start on a fixed schedule — arrival k at k/rate — whether or not
 * earlier ones have answered. Arrival k's class follows the weights exactly (`DeficitSequence`: a 3:1 run has
 * 3N/4 and N/4 iterations after N, whenever 4 divides N); `fixedCount` counts users, which the open model has
 * none of, so only weights apply. A segment takes the arrivals dealt to it (`SegmentDealer`: every class split
 * evenly), so segments add up to the whole sequence. A late iteration waits for a free user of its class from a
 * pool capped at `maxUsers` (`ArrivalPool`) and is dropped (counted) once it is `maxDelayS` late. Response times
 * run from the intended start (coordinated omission corrected); the client keeps the plain service time beside.
 *
 * @example
 * const r = new ArrivalRunner(env, kinds, WHOLE, options, () => {});
 * r.setRate(200); ...; await r.stop(5);
 */
export class ArrivalRunner implements RunnerControl {
  private readonly pool: ArrivalPool;
  private readonly classes: DeficitSequence;
  private readonly dealer: SegmentDealer;
  /** Users in an iteration, with the promise of its end. */
  private readonly running = new Map<RunningUser, Promise<void>>();
  /** Arrivals waiting for a user, oldest first: intended start (performance.now ms) and class; `head` avoids shifting. */
  private queue: number[] = [];
  private queueClass: number[] = [];
  private head = 0;
  private rate = 0;
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Resolves the wait of `stop` when the last running iteration ends. */
  private idle: (() => void) | null = null;

  constructor(
    env: Environment,
    kinds: UserKinds,
    private readonly segment: Segment = WHOLE,
    private readonly options: ArrivalOptions,
    private readonly onQuit: (reason: string) => void,
  ) {
    if (!kinds.classes.some((c) => c.weight > 0))
      throw new Error('the open model needs a class with a weight > 0');
    this.pool = new ArrivalPool(env, kinds, options.maxUsers);
    this.classes = new DeficitSequence(kinds.classes.map((c) => c.weight));
    this.dealer = new SegmentDealer(kinds.classes.length, segment.count);
  }

  /** Users busy with an iteration. */
  get userCount(): number {
    return this.running.size;
  }

  /** Users busy with an iteration, per class name (the generator's `/metrics`). */
  countsByClass(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const u of this.running.keys()) {
      const name = u.user.constructor.name;
      out[name] = (out[name] ?? 0) + 1;
    }
    return out;
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
      let mine = 0;
      while (this.next <= now) {
        const intended = this.next;
        this.next += 1000 / this.rate;
        // Every process deals the whole sequence, so all agree on which arrival is whose.
        const cls = this.classes.next();
        if (this.dealer.deal(cls) === this.segment.index) {
          mine++;
          this.arrive(intended, cls, now);
        }
      }
      if (mine > 0) this.options.onArrivals?.(mine);
    }
    this.dropExpired(now);
    this.schedule(now);
  }

  private arrive(intended: number, cls: number, now: number): void {
    const user = this.pool.take(cls);
    if (user !== null) {
      this.start(user, intended, now);
      return;
    }
    this.queue.push(intended);
    this.queueClass.push(cls);
  }

  private start(u: RunningUser, intended: number, now: number): void {
    this.options.onIteration();
    u.user.setLateness(Math.max(0, now - intended));
    this.running.set(
      u,
      u.loop.iterate().then(() => this.release(u)),
    );
  }

  /**
   * An iteration ended. The queue holds arrivals only while every pooled user is busy, so `u` is the one free
   * user: it runs the oldest waiting arrival, or is swapped for a user of that arrival's class.
   */
  private release(u: RunningUser): void {
    this.running.delete(u);
    if (this.stopped) {
      if (this.running.size === 0) this.idle?.();
      return;
    }
    const now = performance.now();
    this.dropExpired(now);
    if (this.head < this.queue.length) {
      const intended = this.queue[this.head]!;
      const cls = this.queueClass[this.head++]!;
      this.compact();
      this.start(this.pool.classIndex(u) === cls ? u : this.pool.swap(u, cls), intended, now);
    } else {
      this.pool.give(u);
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
      this.queueClass = this.queueClass.slice(this.head);
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
    this.queueClass = [];
    this.head = 0;
    if (stopTimeoutS > 0 && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, stopTimeoutS * 1000);
      });
      clearTimeout(timer);
    }
    const all = [...this.pool.all];
    for (const u of all) u.loop.stop();
    const cut = [...this.running.entries()];
    for (const [u, iteration] of cut) {
      void iteration.then(() => u.loop.end());
    }
    await Promise.all([
      ...cut.map(([u]) => u.user.dispose(true)),
      ...all
        .filter((u) => !this.running.has(u))
        .map(async (u) => {
          await u.loop.end();
          await u.user.dispose(false);
        }),
      this.pool.retired(),
    ]);
    for (const u of all) u.finished = true;
  }
}
