/** What a wait time may look at: when the task that just ended had started, and the time now (ms). */
export interface WaitContext {
  taskStartedAtMs: number;
  nowMs: number;
}

/** Seconds to wait after a task. Pure factories below; the loop does the sleeping. */
export type WaitTime = (ctx: WaitContext) => number;

/**
 * The wait times made so far, by kind and parameters. Scenarios write `waitTime = between(1, 3)` as a field, so
 * the factory runs once per user; the functions are pure, so 10,000 users can share one instead of holding
 * 10,000 copies (each with its own name property under tsx).
 */
const made = new Map<string, WaitTime>();
function shared(key: string, make: () => WaitTime): WaitTime {
  let w = made.get(key);
  if (w === undefined) {
    w = make();
    made.set(key, w);
  }
  return w;
}

/**
 * A uniformly random wait between `min` and `max` seconds, like Locust's `between`.
 *
 * @example
 * class Reader extends HttpUser { waitTime = between(1, 3); }
 */
export function between(min: number, max: number, random: () => number = Math.random): WaitTime {
  if (!(min >= 0) || !(max >= min)) throw new Error(`between(${min}, ${max}): need 0 ≤ min ≤ max`);
  const make = () =>
    function betweenWait() {
      return min + random() * (max - min);
    };
  return random === Math.random ? shared(`between ${min} ${max}`, make) : make();
}

/**
 * The same wait after every task, in seconds (default 0: no wait at all).
 *
 * @example
 * waitTime = constant(0.5);
 */
export function constant(seconds = 0): WaitTime {
  if (!(seconds >= 0)) throw new Error(`constant(${seconds}): need seconds ≥ 0`);
  return shared(
    `constant ${seconds}`,
    () =>
      function constantWait() {
        return seconds;
      },
  );
}

/**
 * Starts a task every `seconds` whatever the task took (0 wait when it took longer), like Locust's
 * `constant_pacing`.
 *
 * @example
 * waitTime = constantPacing(2); // one task every 2 s per user
 */
export function constantPacing(seconds: number): WaitTime {
  if (!(seconds > 0)) throw new Error(`constantPacing(${seconds}): need seconds > 0`);
  return shared(
    `pacing ${seconds}`,
    () =>
      function pacingWait({ taskStartedAtMs, nowMs }) {
        return Math.max(0, seconds - (nowMs - taskStartedAtMs) / 1000);
      },
  );
}

/**
 * At most `perSecond` tasks per second per user: `constantPacing(1 / perSecond)`.
 *
 * @example
 * waitTime = constantThroughput(5);
 */
export function constantThroughput(perSecond: number): WaitTime {
  if (!(perSecond > 0)) throw new Error(`constantThroughput(${perSecond}): need perSecond > 0`);
  return constantPacing(1 / perSecond);
}
