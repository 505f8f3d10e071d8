/**
 * `--start-at`: segments of one run on several machines (pods of an Indexed Job, or processes started together)
 * start their first user at one agreed instant, so their seconds line up and the target sees the whole load at
 * once rather than a staircase of pod start-ups.
 */

/** How far in the past `--start-at` may be and still start (at once): a pod scheduled a moment late. */
export const START_AT_GRACE_MS = 2000;
/** How far ahead it may be: further is nearly always milliseconds given as seconds. */
export const START_AT_MAX_AHEAD_MS = 24 * 3600 * 1000;

/**
 * Why a planned start cannot be kept, or null when it can: more than `START_AT_GRACE_MS` (2 s) in the past, or
 * more than a day ahead. Pure.
 *
 * @example
 * startAtProblem(Date.parse('2026-12-01T10:00:00Z'), Date.parse('2026-12-01T10:00:05Z'));
 * // 'it was 5.0 s ago (2026-12-01T10:00:00.000Z); the grace is 2 s: compute it once, a little ahead, e.g. now + 30 s'
 */
export function startAtProblem(startAtMs: number, nowMs: number): string | null {
  const late = nowMs - startAtMs;
  if (late > START_AT_GRACE_MS) {
    return (
      `it was ${(late / 1000).toFixed(1)} s ago (${new Date(startAtMs).toISOString()}); the grace is ` +
      `${START_AT_GRACE_MS / 1000} s: compute it once, a little ahead, e.g. now + 30 s`
    );
  }
  if (-late > START_AT_MAX_AHEAD_MS) {
    return (
      `${new Date(startAtMs).toISOString()} is more than a day ahead; it is in epoch seconds ` +
      '(date +%s), not milliseconds'
    );
  }
  return null;
}

/** "starting at 2026-12-01T10:00:30.000Z, in 12.3 s" (or "now"), as the command tells it. */
export function describeStart(startAtMs: number, nowMs: number): string {
  const ahead = startAtMs - nowMs;
  const when = new Date(startAtMs).toISOString();
  return ahead > 0
    ? `starting at ${when}, in ${(ahead / 1000).toFixed(1)} s`
    : `starting now (--start-at ${when} was ${(-ahead / 1000).toFixed(1)} s ago, within the grace)`;
}

/**
 * Resolves once the wall clock reaches `startAtMs` (never before it: the timer is re-armed if it fires early), or
 * when `signal` aborts. Resolves true when the start was reached, false when aborted first.
 *
 * @example
 * if (!(await waitUntil(startAtMs, controller.signal))) return; // stopped before the start
 */
export function waitUntil(startAtMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const check = () => {
      const left = startAtMs - Date.now();
      if (left <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      } else timer = setTimeout(check, left);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
