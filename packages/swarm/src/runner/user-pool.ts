import type { Environment } from '../environment';
import type { TaskPlan } from '../user/task-plan';
import type { User, UserClass } from '../user/user';
import { UserLoop } from '../user/user-loop';

/** A user the runner started: its loop and the promise of its end (resolved after its client is released). */
export interface RunningUser {
  readonly globalIndex: number;
  readonly user: User;
  readonly loop: UserLoop;
  done: Promise<void>;
  finished: boolean;
}

/** The classes a run spawns, with their resolved tasks. */
export interface UserKinds {
  classes: UserClass[];
  plans: Map<UserClass, TaskPlan[]>;
}

/** Creates a user and its loop; `run` starts the closed-model loop at once. */
export function startUser(
  env: Environment,
  kinds: UserKinds,
  cls: UserClass,
  globalIndex: number,
  run: boolean,
): RunningUser {
  const user = new cls(env);
  const loop = new UserLoop(user, kinds.plans.get(cls)!, env.onTaskError);
  const running: RunningUser = { globalIndex, user, loop, finished: false, done: DONE };
  if (run) running.done = runToEnd(running, env, cls.name);
  return running;
}

const DONE = Promise.resolve();

/**
 * Runs a user's loop, then releases its client: one async frame for the user's whole life, not a chain of promise
 * callbacks (memory per user: BENCHMARKS.md, "Memory and event-loop lag").
 */
async function runToEnd(running: RunningUser, env: Environment, className: string): Promise<void> {
  try {
    await running.loop.run();
    await running.user.dispose(false);
  } catch (err) {
    env.onTaskError(`${className}.dispose`, err);
  } finally {
    running.finished = true;
  }
}

/**
 * Stops users: asks them all, waits up to `stopTimeoutS` for their current tasks to end, then aborts what is
 * left (their in-flight requests are dropped, not counted as failures).
 */
export async function stopUsers(users: readonly RunningUser[], stopTimeoutS: number): Promise<void> {
  for (const u of users) u.loop.stop();
  const all = Promise.all(users.map((u) => u.done));
  if (stopTimeoutS > 0) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, stopTimeoutS * 1000);
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
  }
  await Promise.all(users.filter((u) => !u.finished).map((u) => u.user.dispose(true)));
}
