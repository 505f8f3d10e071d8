/**
 * Control-flow signals, kept apart from request failures: throwing one of these from a task is not an error.
 */

/** Stops this simulated user (its `onStop` still runs). `throw new StopUser()` from a task. */
export class StopUser extends Error {
  constructor() {
    super('StopUser');
    this.name = 'StopUser';
  }
}

/**
 * Leaves the current task set and returns to its parent. With `reschedule` (the default) the parent picks its
 * next task at once; without, it first waits its wait time. Thrown by `TaskSet.interrupt()`.
 */
export class InterruptTaskSet extends Error {
  constructor(readonly reschedule = true) {
    super('InterruptTaskSet');
    this.name = 'InterruptTaskSet';
  }
}
