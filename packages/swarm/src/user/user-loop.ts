import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InterruptTaskSet, StopUser } from './control';
import type { TaskPlan, TaskSetLike } from './task-plan';
import type { TaskSet } from './task-set';
import type { User } from './user';
import type { WaitContext, WaitTime } from './wait-time';
import { type Sleeper, wakeQueue } from './wake-queue';
import { weightedPicker } from './weighted-choice';

type Owner = User | TaskSet;

/** The weighted pickers of every plan, for loops using `Math.random`. */
const SHARED_PICKERS = new WeakMap<TaskPlan[], () => TaskPlan>();

/**
 * What every wait time is called with (synchronously, one call at a time): one object, not one per task, whose
 * `nowMs` reads the clock only for the wait times that look at it (pacing); `constant` and `between` never do.
 */
const WAIT_CONTEXT: WaitContext = {
  taskStartedAtMs: 0,
  get nowMs() {
    return Date.now();
  },
};

/** After this many tasks in a row without a wait, the loop yields once so that a synchronous task cannot starve timers. */
const SPINS_BEFORE_YIELD = 32;

/**
 * Runs one simulated user: `onStart`, then tasks picked by weight (nested sets entered and left), waiting the
 * wait time after each, until `stop()`; then `onStop`. An exception in a task is counted and the user goes on;
 * `StopUser` ends this user; a stop request cuts a wait short but lets the current task finish.
 *
 * @example
 * const loop = new UserLoop(user, planTasks(Reader), (task, err) => stats.recordException(task, err));
 * const done = loop.run(); ... loop.stop(); await done;
 */
export class UserLoop implements Sleeper {
  private stopping = false;
  /** Resolves the wait in progress (null when not waiting). */
  private resume: (() => void) | null = null;
  /** Numbers this user's waits, so the wake queue's call for a wait `stop()` ended is refused. */
  private ticket = 0;
  private spins = 0;
  private waitMs = 0;
  private started = false;
  /** Pickers of a loop with its own random source (tests); others share `SHARED_PICKERS`. */
  private pickers: WeakMap<TaskPlan[], () => TaskPlan> | null = null;
  /** Settles `run()`; null before it and once the user has ended. */
  private ended: (() => void) | null = null;
  /** The top level is waiting in the wake queue (without a promise: see `run`). */
  private waitingTop = false;
  private current: TaskPlan | null = null;
  private taskStartedAt = 0;

  constructor(
    readonly user: User,
    private readonly plan: TaskPlan[],
    private readonly onTaskError: (task: string, error: unknown) => void,
    private readonly random: () => number = Math.random,
  ) {
    if (plan.length === 0) throw new Error(`${user.constructor.name} has no tasks (after tag filters)`);
    // Bound methods, not arrow-function fields: memory per user (BENCHMARKS.md, "Memory and event-loop lag").
    this.next = this.next.bind(this);
    this.done = this.done.bind(this);
    this.failed = this.failed.bind(this);
    this.park = this.park.bind(this);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Runs until stopped or `StopUser`, between `onStart` and `onStop`. Never rejects.
   *
   * The top level is a small state machine of callbacks bound once per user (`next`, `done`, `failed`), not an
   * async loop, so a user waiting between tasks holds only its place in the wake queue (why it matters with 10,000
   * users: BENCHMARKS.md, "Memory and event-loop lag"). Nested task sets still run in the async `loop`.
   */
  run(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.ended = resolve;
      void this.guard(`${this.user.constructor.name}.onStart`, () => this.user.onStart()).then(this.next);
    });
  }

  /** Picks and starts the next top-level task (bound once). */
  private next(): void {
    if (this.stopping) {
      this.finish();
      return;
    }
    const t = this.pick(this.plan);
    this.current = t;
    this.taskStartedAt = Date.now();
    let result: unknown;
    try {
      result = this.call(this.user, t);
    } catch (err) {
      this.failed(err);
      return;
    }
    if (result instanceof Promise) result.then(this.done, this.failed);
    else this.done(result);
  }

  /** A top-level task ended (bound once); a set left with `reschedule` skips the wait. */
  private done(result: unknown): void {
    const skipWait = this.current!.set !== undefined && result === true;
    this.user.afterTask();
    this.pause(skipWait);
  }

  /** A top-level task threw (bound once): `StopUser` ends the user, anything else is counted and it goes on. */
  private failed(err: unknown): void {
    if (err instanceof StopUser) {
      this.finish();
      return;
    }
    this.report(`${this.user.constructor.name}.${this.current!.name}`, err);
    this.user.afterTask();
    this.pause(false);
  }

  /** The wait after a top-level task: a place in the wake queue, or straight on (yielding now and then). */
  private pause(skipWait: boolean): void {
    if (this.stopping) {
      this.finish();
      return;
    }
    const seconds = skipWait ? 0 : this.waitSeconds(this.user, this.taskStartedAt);
    if (seconds > 0) {
      this.waitingTop = true;
      wakeQueue.add(performance.now() + seconds * 1000, this, ++this.ticket);
    } else if (this.dueToYield()) {
      setImmediate(this.next);
    } else {
      // Synchronous tasks recurse here at most SPINS_BEFORE_YIELD deep before the yield above.
      this.next();
    }
  }

  /** Runs `onStop` once and settles `run()`. */
  private finish(): void {
    const ended = this.ended;
    if (ended === null) return;
    this.ended = null;
    void this.guard(`${this.user.constructor.name}.onStop`, () => this.user.onStop()).then(ended);
  }

  /** Open model: runs one task picked by weight (a set until it is left), with no wait. Never rejects. */
  async iterate(): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.guard(`${this.user.constructor.name}.onStart`, () => this.user.onStart());
    }
    const t = this.pick(this.plan);
    try {
      await this.call(this.user, t);
    } catch (err) {
      if (err instanceof StopUser) this.stopping = true;
      else if (!(err instanceof InterruptTaskSet))
        this.report(`${this.user.constructor.name}.${t.name}`, err);
    }
    this.user.afterTask();
  }

  /** Open model: runs `onStop` once, if an iteration ever ran `onStart`. Never rejects. */
  async end(): Promise<void> {
    this.stopping = true;
    if (!this.started) return;
    this.started = false;
    await this.guard(`${this.user.constructor.name}.onStop`, () => this.user.onStop());
  }

  /** Asks the user to stop: a wait in progress ends now, a task in progress finishes. */
  stop(): void {
    this.stopping = true;
    if (this.waitingTop) {
      this.waitingTop = false;
      wakeQueue.cancel();
      this.finish();
      return;
    }
    const resume = this.resume;
    if (resume !== null) {
      this.resume = null;
      wakeQueue.cancel();
      resume();
    }
  }

  private pick(plan: TaskPlan[]): TaskPlan {
    // Users of one class share one plan, so with the default random source they share its picker too.
    if (this.random !== Math.random && this.pickers === null) this.pickers = new WeakMap();
    const pickers = this.pickers ?? SHARED_PICKERS;
    let picker = pickers.get(plan);
    if (picker === undefined) {
      picker = weightedPicker(
        plan,
        plan.map((p) => p.weight),
        this.random,
      );
      pickers.set(plan, picker);
    }
    return picker();
  }

  /**
   * Starts a task: a method is called directly (no async frame of its own, so a user's cycle allocates little
   * that outlives it) and its result returned as is; a set runs in `runSet`.
   */
  private call(owner: Owner, t: TaskPlan): unknown {
    if (t.set !== undefined) return this.runSet(owner, t, t.set);
    return (owner as unknown as Record<string, () => unknown>)[t.method!]!();
  }

  /** Runs a nested set until it is left; resolves true when it was left with `reschedule` (skip the wait). */
  private async runSet(owner: Owner, t: TaskPlan, plan: NonNullable<TaskPlan['set']>): Promise<boolean> {
    const SetClass = plan.cls as unknown as new (user: User, parent: Owner) => TaskSet;
    const set = new SetClass(this.user, owner);
    await this.guard(`${t.name}.onStart`, () => set.onStart());
    try {
      return await this.loop(set, plan.tasks, plan.sequential);
    } finally {
      await this.guard(`${t.name}.onStop`, () => set.onStop());
    }
  }

  private async loop(owner: Owner, plan: TaskPlan[], sequential: boolean): Promise<boolean> {
    let i = 0;
    while (!this.stopping) {
      const t = sequential ? plan[i++ % plan.length]! : this.pick(plan);
      const startedAt = Date.now();
      let skipWait = false;
      try {
        const result = this.call(owner, t);
        const value = result instanceof Promise ? await result : result;
        skipWait = t.set !== undefined && value === true;
      } catch (err) {
        if (err instanceof InterruptTaskSet && owner !== this.user) {
          this.user.afterTask();
          return err.reschedule;
        }
        if (err instanceof StopUser) throw err;
        this.report(`${(owner.constructor as TaskSetLike).name}.${t.name}`, err);
      }
      this.user.afterTask();
      if (!skipWait) {
        const wait = this.waitAfter(owner, startedAt);
        if (wait !== null) await wait;
      }
    }
    return true;
  }

  /**
   * The wait after a task inside a set: a promise that the wake queue (or `stop()`) resolves, or null for no
   * wait. Not an async function, and its executor bound once per user, so that what lives through the wait is one
   * promise.
   */
  private waitAfter(owner: Owner, taskStartedAtMs: number): Promise<void> | null {
    const seconds = this.waitSeconds(owner, taskStartedAtMs);
    if (seconds > 0 && !this.stopping) {
      this.waitMs = seconds * 1000;
      return new Promise<void>(this.park);
    }
    if (this.dueToYield()) return yieldToEventLoop() as Promise<unknown> as Promise<void>;
    return null;
  }

  /** The wait time of the set (or else the user) after a task that started at `taskStartedAtMs`, in seconds. */
  private waitSeconds(owner: Owner, taskStartedAtMs: number): number {
    const waitTime: WaitTime = (owner as TaskSet).waitTime ?? this.user.waitTime;
    WAIT_CONTEXT.taskStartedAtMs = taskStartedAtMs;
    const seconds = waitTime(WAIT_CONTEXT);
    if (seconds > 0) this.spins = 0;
    return seconds;
  }

  /** Counts a task that did not wait; true once every SPINS_BEFORE_YIELD of them, when the loop must yield. */
  private dueToYield(): boolean {
    if (++this.spins < SPINS_BEFORE_YIELD) return false;
    this.spins = 0;
    return true;
  }

  /** The executor of a wait's promise (bound once): queues this user in the process's wake queue. */
  private park(resolve: () => void): void {
    this.resume = resolve;
    wakeQueue.add(performance.now() + this.waitMs, this, ++this.ticket);
  }

  /** @internal The wake queue's call at the end of a wait; false for a wait `stop()` already ended. */
  wake(ticket: number): boolean {
    if (ticket !== this.ticket) return false;
    if (this.waitingTop) {
      this.waitingTop = false;
      this.next();
      return true;
    }
    if (this.resume === null) return false;
    const resume = this.resume;
    this.resume = null;
    resume();
    return true;
  }

  private async guard(what: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof StopUser)) this.report(what, err);
    }
  }

  private report(task: string, err: unknown): void {
    // An error caused by the test being torn down (a destroyed client) is not the scenario's fault.
    if (this.stopping) return;
    this.onTaskError(task, err);
  }
}
