import type { Environment } from '../environment';
import type { TasksSpec } from './task-plan';
import { constant, type WaitTime } from './wait-time';

/**
 * A simulated user without a protocol: subclass it (or `HttpUser`) and give it tasks with `@task` or
 * `static tasks`. Class settings: `weight` (share of the users, default 1), `fixedCount` (exactly this many,
 * taken before the weighted share), `host`, `abstract` (a base class that is never spawned).
 *
 * @example
 * class Worker extends User {
 *   static weight = 2;
 *   waitTime = between(1, 2);
 *   @task async work() { await doSomething(); }
 * }
 */
export class User {
  static weight = 1;
  static fixedCount = 0;
  static host = '';
  static abstract = true;
  static tasks?: TasksSpec;

  /** Seconds to wait after each task; default 0. */
  waitTime: WaitTime = constant(0);

  constructor(readonly environment: Environment) {}

  /** Runs once when the user starts, before its first task. */
  onStart(): void | Promise<void> {}

  /** Runs once when the user stops gracefully. */
  onStop(): void | Promise<void> {}

  /** @internal Called by the loop after each task (an HTTP user reports its last response here). */
  afterTask(): void {}

  /** @internal Open model: how late the current iteration started, added to its response times. */
  setLateness(_ms: number | null): void {}

  /** @internal Releases the user's resources; `force` aborts what is in flight. */
  async dispose(_force: boolean): Promise<void> {}
}

/** A class that extends `User`, as the runner handles it. */
export type UserClass = (new (
  environment: Environment,
) => User) & {
  weight: number;
  fixedCount: number;
  host: string;
  abstract: boolean;
  tasks?: TasksSpec;
  name: string;
};

/** True for a spawnable user class: a subclass of `User` that does not declare itself `abstract`. */
export function isUserClass(value: unknown): value is UserClass {
  return (
    typeof value === 'function' &&
    value.prototype instanceof User &&
    !(Object.hasOwn(value, 'abstract') && (value as unknown as UserClass).abstract)
  );
}
