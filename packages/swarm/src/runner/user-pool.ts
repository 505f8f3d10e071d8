import type { Environment } from '../environment';
import type { TaskPlan } from '../user/task-plan';
import type { User, UserClass } from '../user/user';
import { UserLoop } from '../user/user-loop';

/** A user the runner started: its loop and the promise of its end (resolved after its client is released). */
export interface RunningUser {
  readonly globalIndex: number;
  readonly user: User;
  readonly loop: UserLoop;
  readonly done: Promise<void>;
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
  const running: RunningUser = {
    globalIndex,
    user,
    loop,
    finished: false,
    done: run
      ? loop
          .run()
          .then(() => user.dispose(false))
          .catch((err) => env.onTaskError(`${cls.name}.dispose`, err))
          .finally(() => {
            running.finished = true;
          })
      : Promise.resolve(),
  };
  return running;
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
