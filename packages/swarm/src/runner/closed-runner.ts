import type { Environment, RunnerControl } from '../environment';
import { type Segment, WHOLE } from './segment';
import { SpawnPlan } from './spawn-plan';
import { type RunningUser, startUser, stopUsers, type UserKinds } from './user-pool';

/** What `onQuit` is called with when every user has stopped itself (`StopUser`). */
export const EVERY_USER_STOPPED = 'every user stopped';

/**
 * The closed model: a target number of users, reached at a spawn rate. Users are numbered in the global
 * spawn order (`SpawnPlan`), so class proportions follow the weights exactly; a segment runs only the numbers
 * dealt to it, each class split evenly between segments, so a segment keeps the proportions on its own and
 * segments on several processes or machines add up to the whole run. Ramping down stops the last spawned first,
 * giving each the run's stop timeout to finish its current task, as Locust does.
 *
 * @example
 * const runner = new ClosedRunner(env, kinds, WHOLE, () => {});
 * runner.setTarget(50, 10); ...; await runner.stop(5);
 */
export class ClosedRunner implements RunnerControl {
  private readonly plan: SpawnPlan;
  private readonly running = new Map<number, RunningUser>();
  /** How many global users are currently meant to exist (all segments together). */
  private globalCount = 0;
  private target = 0;
  private spawnRate = 1;
  private carry = 0;
  private lastStep = 0;
  private timer: NodeJS.Timeout | null = null;
  private completeFired = true;
  private stopped = false;

  constructor(
    private readonly env: Environment,
    private readonly kinds: UserKinds,
    private readonly segment: Segment = WHOLE,
    private readonly onQuit: (reason: string) => void,
    /** How long a user stopped by a ramp-down may finish its current task (the run's `--stop-timeout`). */
    private readonly stopTimeoutS = 0,
  ) {
    this.plan = new SpawnPlan(kinds.classes, segment.count);
  }

  /** Users of this process that are running (a user that threw `StopUser` no longer counts). */
  get userCount(): number {
    let n = 0;
    for (const u of this.running.values()) if (!u.finished) n++;
    return n;
  }

  quit(reason = 'quit by a user'): void {
    this.onQuit(reason);
  }

  /** Moves toward `users` (all segments together) at `spawnRate` users/s. */
  setTarget(users: number, spawnRate: number): void {
    if (this.stopped) return;
    if (users === this.target && spawnRate === this.spawnRate) return;
    if (users !== this.target) this.completeFired = false;
    this.target = Math.max(0, Math.floor(users));
    this.spawnRate = spawnRate > 0 ? spawnRate : Number.POSITIVE_INFINITY;
    this.lastStep = performance.now();
    // Ticks short enough to spread the spawns, long enough not to matter for a fast rate.
    const period = Math.min(100, Math.max(10, 1000 / this.spawnRate));
    // The first user of a change is due at once, the next ones 1/spawnRate apart (Locust's schedule: at 2/s users
    // start at 0 s, 0.5 s, 1 s, ...).
    this.carry = 1;
    // The users due within the first tick start now, not at its end: at 100,000/s all 50 users at once (it was 1
    // now and 49 a tick later: 10 ms or more of a benchmark's window with one user working). The rest of the ramp
    // keeps its schedule; at 100/s or less the first tick holds one user, as before.
    const firstTick = Math.floor((this.spawnRate * period) / 1000);
    this.step(firstTick > 1 ? firstTick : 0);
    if (this.timer === null && this.globalCount !== this.target) {
      this.timer = setInterval(() => this.step(), period);
    }
  }

  /** Spawns (or stops) the users due by now, and at least `ahead` of them (the first tick's, at once). */
  private step(ahead = 0): void {
    const now = performance.now();
    this.carry += ((now - this.lastStep) / 1000) * this.spawnRate;
    this.lastStep = now;
    const gap = Math.abs(this.target - this.globalCount);
    // Users started ahead of the schedule leave the carry below 0 until the schedule catches up: no moves then.
    let moves = Math.max(ahead, Math.floor(this.carry));
    if (!Number.isFinite(moves) || moves > gap) moves = gap;
    this.carry -= moves;
    if (!Number.isFinite(this.carry)) this.carry = 0;
    for (let m = 0; m < moves; m++) {
      if (this.globalCount < this.target) this.spawnNext();
      else this.stopLast();
    }
    if (this.globalCount === this.target) {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      if (!this.completeFired) {
        this.completeFired = true;
        this.env.events.spawningComplete.fire({ userCount: this.userCount });
      }
    }
  }

  private spawnNext(): void {
    const k = this.globalCount;
    const index = this.plan.classAt(k);
    this.globalCount++;
    if (index < 0 || this.plan.segmentAt(k) !== this.segment.index) return;
    const cls = this.kinds.classes[index]!;
    const u = startUser(this.env, this.kinds, cls, k, true);
    this.running.set(k, u);
    void u.done.then(() => this.afterUserEnded());
  }

  /**
   * A run whose users have all stopped themselves (`StopUser`) has nothing left to measure: it ends. Not one whose
   * shape asked for 0 users: that is a pause the shape ends (or ramps up from) itself.
   */
  private afterUserEnded(): void {
    if (this.stopped || this.target === 0 || this.globalCount < this.target || this.userCount > 0) return;
    this.onQuit(EVERY_USER_STOPPED);
  }

  private stopLast(): void {
    this.globalCount--;
    const u = this.running.get(this.globalCount);
    if (u === undefined) return;
    this.running.delete(this.globalCount);
    void stopUsers([u], this.stopTimeoutS);
  }

  /** Stops spawning and stops every user, waiting up to `stopTimeoutS` for their current tasks. */
  async stop(stopTimeoutS: number): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const users = [...this.running.values()];
    this.running.clear();
    await stopUsers(users, stopTimeoutS);
  }

  /** Counts of running users per class name (for reports and tests). */
  countsByClass(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const u of this.running.values()) {
      if (u.finished) continue;
      const name = u.user.constructor.name;
      out[name] = (out[name] ?? 0) + 1;
    }
    return out;
  }
}
