import type { MiddlewareHandler } from 'hono';
import { requestExpired } from '../errors';

export interface DeadlineOptions {
  /** How long after the gateway received a request it may still run (REQUEST_DEADLINE_MS). */
  budgetMs: number;
  /** The clock, in epoch milliseconds; tests pass their own. */
  now?: () => number;
}

/** `deadline` is set for writes only (see `deadline`); a read's handler must not use it. */
export type DeadlineVariables = { deadline: number };

// A clock up to this far ahead of ours is tolerated; a start further in the future is not believed.
const SKEW_MS = 1000;

/**
 * When the request was received upstream, from `X-Request-Start` as nginx stamps it (`t=<seconds>.<ms>`, from
 * `$msec`); `t=<ms>` and `t=<µs>`, which other proxies send, are read too. Undefined when absent or unreadable.
 */
export function requestStart(header: string | undefined): number | undefined {
  const match = header && /^\s*t=(\d{1,16}(?:\.\d{1,6})?)\s*$/.exec(header);
  if (!match) return undefined;
  const t = Number(match[1]);
  // Seconds until the year 5138, then milliseconds, then microseconds.
  if (t < 1e11) return t * 1000;
  if (t < 1e14) return t;
  return t / 1000;
}

// Reads change nothing, so a late one is harmless; and the gateway retries a GET that timed out on another replica
// with the first try's stamp, which a deadline on reads would refuse.
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Gives every write (any method but GET, HEAD and OPTIONS) a deadline, `budgetMs` after the gateway received it
 * (or after this replica did, when no gateway stamped it), kept as `c.get('deadline')`. A write already past it is
 * answered 503 REQUEST_EXPIRED without running: its gateway has answered the client 504 and may have sent a later
 * write since. Writes carry the deadline into Postgres, which refuses them once it has passed, however late a
 * frozen replica gets to them. Reads are never refused for lateness and get no deadline: nothing they run reads
 * one, so they pass straight through (no clock, no header parsing, no async frame on the hottest path).
 */
export function deadline({ budgetMs, now = Date.now }: DeadlineOptions): MiddlewareHandler<{
  Variables: DeadlineVariables;
}> {
  return function requestDeadline(c, next) {
    if (SAFE.has(c.req.method)) return next();
    const received = now();
    const start = requestStart(c.req.header('x-request-start'));
    const from = start !== undefined && start <= received + SKEW_MS ? Math.min(start, received) : received;
    const at = from + budgetMs;
    if (received >= at) throw requestExpired();
    c.set('deadline', at);
    return next();
  };
}
