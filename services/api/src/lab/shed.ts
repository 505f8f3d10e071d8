import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { serviceUnavailable } from '../errors';

/** A cheap route is shed only once the loop runs this many times later than SHED_LAG_MS. */
export const CHEAP_ROUTE_FACTOR = 4;

/** The weight of the newest sample in a route's running cost (an exponentially weighted mean). */
const COST_WEIGHT = 0.2;

export type RouteCost = 'costly' | 'cheap';

export interface ShedOptions {
  /**
   * Whether the replica is overloaded now for work shed at `factor` times the threshold (asked once per request:
   * 1 for costly routes, CHEAP_ROUTE_FACTOR for cheap ones).
   */
  overloaded: (factor: number) => boolean;
  /** Called for each request shed (a counter), with its route's class. */
  onShed: (cost: RouteCost) => void;
  /**
   * SHED_COSTLY_MS: a route whose requests hold the event loop this long (ms, a running mean per route) is costly
   * and shed first; 0 sheds every route alike.
   */
  costlyMs: number;
  /** Where the running cost per route (`GET /api/lab/cpu` → ms) is kept; read by the metrics. */
  costs?: Map<string, number>;
  /** The clock (ms, monotonic); performance.now by default. */
  now?: () => number;
}

/**
 * Load shedding: while the replica is overloaded, new work is answered at once with 503 OVERLOADED and
 * `Retry-After: 1` instead of queueing behind the work that made it late. Mounted on `/api/*` only, so `/health`,
 * `/ready` and `/metrics` are always answered; mounted only when SHED_LAG_MS > 0, so a replica without shedding
 * runs no code for it.
 *
 * Routes are shed by what they cost, as a server that knows its endpoints would: for each route template the
 * middleware keeps a running mean of how long a request holds the event loop before its first wait (the synchronous
 * part of the handler: what makes the loop late, and what `/health` waits behind). A costly route (at least
 * `costlyMs`) is shed as soon as the loop runs SHED_LAG_MS late; a cheap one only past CHEAP_ROUTE_FACTOR times that,
 * since refusing it frees almost nothing while its callers lose an answer the replica could have given at once. A
 * route not yet seen counts as cheap until its first request is measured. With `costlyMs` 0 every route is shed
 * alike at SHED_LAG_MS.
 */
export function shed({
  overloaded,
  onShed,
  costlyMs,
  costs = new Map(),
  now = () => performance.now(),
}: ShedOptions): MiddlewareHandler {
  return function shedWhenOverloaded(c, next) {
    // With `costlyMs` 0 every route is costly: no route key to build, no cost to keep.
    const route = costlyMs === 0 ? '' : `${c.req.method} ${routePath(c, -1)}`;
    const cost = costlyMs === 0 ? undefined : costs.get(route);
    const costly = costlyMs === 0 || (cost !== undefined && cost >= costlyMs);
    if (overloaded(costly ? 1 : CHEAP_ROUTE_FACTOR)) {
      onShed(costly ? 'costly' : 'cheap');
      throw serviceUnavailable(
        'OVERLOADED',
        'this replica is overloaded (its event loop is running late); nothing was done, retry after Retry-After',
      );
    }
    if (costlyMs === 0) return next();
    const start = now();
    // Runs the rest of the chain up to its first wait; what that took is the loop time this route holds.
    const done = next();
    const took = now() - start;
    costs.set(route, cost === undefined ? took : cost + (took - cost) * COST_WEIGHT);
    return done;
  };
}
