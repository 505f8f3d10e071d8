/**
 * How a user honours `Retry-After` (opt-in: `--honor-retry-after`, `options.honorRetryAfter`, or a class's
 * `static honorRetryAfter = true`): after a 429 (Too Many Requests) or a 503 (Service Unavailable) that carries
 * the header, the request resolves only once the user has waited what the server asked, at most `maxMs`, so the
 * task goes on after the wait. The wait is not part of the response time. Both statuses: RFC 9110 defines
 * Retry-After for 503 as for 429, and a shedding service answers 503 with it ("come back later"), as a gateway's
 * quota answers 429. A request that failed without an answer, or any other status, never waits.
 */
export interface RetryAfterPolicy {
  /** The longest wait, however far the server asks; default 30 s. */
  maxMs: number;
}

export const DEFAULT_RETRY_AFTER_MAX_MS = 30_000;

/** The custom counters (`summary.metrics`) every honoured wait adds to: how many waits, and their whole milliseconds. */
export const RETRY_AFTER_METRICS = ['retry_after_waits', 'retry_after_wait_ms'] as const;

/**
 * The wait a `Retry-After` value asks for, in ms, bounded to `[0, maxMs]`: delta-seconds (`"2"`) or an HTTP date
 * (`"Wed, 02 Dec 2026 01:00:00 GMT"`, relative to `nowMs`); null for no value or one that is neither (pure).
 *
 * @example
 * retryAfterMs('2', 30_000);      // 2000
 * retryAfterMs('120', 30_000);    // 30000
 * retryAfterMs('soon', 30_000);   // null
 */
export function retryAfterMs(value: string | undefined, maxMs: number, nowMs = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  let ms: number;
  if (/^[0-9]{1,10}$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    // An HTTP date names its weekday and ends in GMT; Date.parse would take plain numbers or ISO dates too.
    if (Number.isNaN(at) || !/GMT$/.test(text)) return null;
    ms = at - nowMs;
  }
  return Math.min(maxMs, Math.max(0, ms));
}

/** Whether a status may carry a Retry-After this policy honours. */
export const honoursStatus = (status: number) => status === 429 || status === 503;

/**
 * The run's policy from `options.honorRetryAfter`: null when off, the default maximum for `true`.
 * Example: `retryAfterPolicy({ maxMs: 5000 })` → `{ maxMs: 5000 }`; `retryAfterPolicy(undefined)` → null.
 */
export function retryAfterPolicy(option: boolean | { maxMs?: number } | undefined): RetryAfterPolicy | null {
  if (option === undefined || option === false) return null;
  if (option === true) return { maxMs: DEFAULT_RETRY_AFTER_MAX_MS };
  const maxMs = option.maxMs ?? DEFAULT_RETRY_AFTER_MAX_MS;
  if (!(Number.isFinite(maxMs) && maxMs > 0)) {
    throw new Error(`options.honorRetryAfter.maxMs: must be a positive number of ms, got ${String(maxMs)}`);
  }
  return { maxMs };
}
