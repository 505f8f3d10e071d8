import type { HttpClient } from '../client/http-client';
import { InterruptTaskSet } from './control';
import type { TasksSpec } from './task-plan';
import type { User } from './user';
import type { WaitTime } from './wait-time';

/**
 * A group of tasks a user enters (as one of its tasks, by weight) and stays in until `interrupt()`. Nested
 * sets are tasks of sets. `waitTime` defaults to the user's.
 *
 * @example
 * class Browse extends TaskSet<Reader> {
 *   @task(5) async page() { await this.client.get('/users'); }
 *   @task leave() { this.interrupt(); }
 * }
 * class Reader extends HttpUser { static tasks = [[Browse, 3]] as const; }
 */
export class TaskSet<U extends User = User> {
  static tasks?: TasksSpec;
  /** Sequential sets run their tasks in declaration order, round and round. */
  static sequential = false;
  waitTime?: WaitTime;

  constructor(
    readonly user: U,
    readonly parent: User | TaskSet<U>,
  ) {}

  /** The user's HTTP client (for sets of an `HttpUser`). */
  get client(): HttpClient {
    const client = (this.user as unknown as { client?: HttpClient }).client;
    if (client === undefined) throw new Error(`${this.constructor.name}: the user has no HTTP client`);
    return client;
  }

  /** Leaves this set; with `reschedule` false the parent waits before its next task. */
  interrupt(reschedule = true): never {
    throw new InterruptTaskSet(reschedule);
  }

  onStart(): void | Promise<void> {}
  onStop(): void | Promise<void> {}
}

/**
 * A task set whose tasks run one after the other in declaration order (weights ignored), round and round until
 * `interrupt()`.
 *
 * @example
 * class Checkout extends SequentialTaskSet<Shopper> {
 *   @task async cart() { ... }
 *   @task async pay() { ...; this.interrupt(); }
 * }
 */
export class SequentialTaskSet<U extends User = User> extends TaskSet<U> {
  static override sequential = true;
}
