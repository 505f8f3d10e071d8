import type { MiddlewareHandler } from 'hono';
import { serviceUnavailable } from '../errors';

export interface ShedOptions {
  /** Whether the replica is overloaded now (asked once per request). */
  overloaded: () => boolean;
  /** Called for each request shed (a counter). */
  onShed: () => void;
}

/**
 * Load shedding: while the replica is overloaded, new work is answered at once with 503 OVERLOADED and
 * `Retry-After: 1` instead of queueing behind the work that made it late. Mounted on `/api/*` only, so `/health`,
 * `/ready` and `/metrics` are always answered; mounted only when SHED_LAG_MS > 0, so a replica without shedding
 * runs no code for it.
 */
export function shed({ overloaded, onShed }: ShedOptions): MiddlewareHandler {
  return function shedWhenOverloaded(_c, next) {
    if (!overloaded()) return next();
    onShed();
    throw serviceUnavailable(
      'OVERLOADED',
      'this replica is overloaded (its event loop is running late); nothing was done, retry after Retry-After',
    );
  };
}
