import type { Environment } from '../environment';
import { type RunningUser, startUser, type UserKinds } from './user-pool';

/**
 * The open model's users: one pool under one cap, each user of one class. An iteration of class c takes an idle
 * user of class c; failing that, a new one while the pool is under the cap; failing that, an idle user of another
 * class is retired (its `onStop` runs, its connection closes) to make room for one of class c. So the class of an
 * iteration is decided by the arrival sequence, never by which user happens to be free, and the pool's mix follows
 * the mix of the iterations.
 *
 * @example
 * const pool = new ArrivalPool(env, kinds, 100);
 * const u = pool.take(0); // null when all 100 are busy
 * ...; pool.give(u);
 */
export class ArrivalPool {
  /** Every pooled user (retired ones leave). */
  readonly all = new Set<RunningUser>();
  private readonly idle: RunningUser[][];
  private readonly classOf = new Map<RunningUser, number>();
  private readonly retiring = new Set<Promise<void>>();
  private created = 0;

  constructor(
    private readonly env: Environment,
    private readonly kinds: UserKinds,
    private readonly maxUsers: number,
  ) {
    this.idle = kinds.classes.map(() => []);
  }

  /** A user of class `cls` for an iteration, or null when every pooled user is busy. */
  take(cls: number): RunningUser | null {
    const own = this.idle[cls]!.pop();
    if (own !== undefined) return own;
    if (this.all.size < this.maxUsers) return this.create(cls);
    for (const users of this.idle) {
      const other = users.pop();
      if (other !== undefined) return this.swap(other, cls);
    }
    return null;
  }

  /** The class index of a pooled user. */
  classIndex(u: RunningUser): number {
    return this.classOf.get(u)!;
  }

  /** A user whose iteration ended and that has none to run next. */
  give(u: RunningUser): void {
    this.idle[this.classIndex(u)]!.push(u);
  }

  /** Retires `u` (idle: its iteration ended) and returns a new user of class `cls` in its place. */
  swap(u: RunningUser, cls: number): RunningUser {
    this.all.delete(u);
    this.classOf.delete(u);
    const done = this.retire(u);
    this.retiring.add(done);
    void done.then(() => this.retiring.delete(done));
    return this.create(cls);
  }

  /** Resolves once every retired user has run `onStop` and closed its connection. */
  async retired(): Promise<void> {
    await Promise.all(this.retiring);
  }

  private create(cls: number): RunningUser {
    const u = startUser(this.env, this.kinds, this.kinds.classes[cls]!, this.created++, false);
    this.all.add(u);
    this.classOf.set(u, cls);
    return u;
  }

  private async retire(u: RunningUser): Promise<void> {
    try {
      await u.loop.end();
      await u.user.dispose(false);
    } catch (err) {
      this.env.onTaskError(`${u.user.constructor.name}.dispose`, err);
    } finally {
      u.finished = true;
    }
  }
}
