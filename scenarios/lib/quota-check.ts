/**
 * The quota lab's criterion Swarm cannot judge, from the run's summary (pure): what got through the gateway never
 * exceeds what the quota allows. nginx's limit_req is a token bucket per client of `burst` requests refilled at
 * `rate` per second, so by the end of the k-th second at most 1 + burst + rate × k of a client's requests can have
 * passed. Two views: each client's row over the whole run (requests less its 429s), and what the replicas saw each
 * second (the answers that carry an X-Instance, which nginx's own 429 does not) against all clients' allowance.
 */

/** The per-second shape of a Swarm summary this reads. */
export interface QuotaSecond {
  requests?: number;
  instances?: Record<string, number>;
}

/** The summary's per-endpoint shape this reads. */
export interface QuotaEndpoint {
  method: string;
  name: string;
  requests: number;
  throttled: number;
}

/** QUOTA_RATE (`10r/s`, `600r/m`) in requests per second; null for off (unset, empty, 0) or not a rate. */
export function quotaPerSecond(text: string | undefined): number | null {
  const m = /^(\d+)r\/(s|m)$/.exec(text?.trim() ?? '');
  if (!m) return null;
  const n = Number(m[1]);
  return n === 0 ? null : m[2] === 's' ? n : n / 60;
}

export interface QuotaCheck {
  /** A client's row (`GET /api/users/:id [eager]`), or `replicas` for what the replicas saw each second. */
  what: string;
  /** Requests that passed the gateway. */
  passed: number;
  /** The most the quota allowed over the same time. */
  allowed: number;
  /** The largest excess over the allowance at any second (≤ 0 when the quota held). */
  worstExcess: number;
  ok: boolean;
}

/**
 * A client's requests that passed the gateway over a run of `durationS` against 1 + burst + rate × durationS
 * (rounded up to whole seconds). A row the run does not have passed nothing.
 *
 * @example
 * clientWithinQuota(summary.endpoints, 'GET /api/users/:id [eager]', 40, 10, 20); // { passed: 414, allowed: 421, ok: true, ... }
 */
export function clientWithinQuota(
  endpoints: readonly QuotaEndpoint[],
  row: string,
  durationS: number,
  ratePerS: number,
  burst: number,
): QuotaCheck {
  const e = endpoints.find((x) => `${x.method} ${x.name}` === row);
  const passed = e ? e.requests - e.throttled : 0;
  const allowed = 1 + burst + ratePerS * Math.ceil(durationS);
  return { what: row, passed, allowed, worstExcess: passed - allowed, ok: passed <= allowed };
}

/**
 * What the replicas saw (each second's answers by instance), summed from the first second with requests, against
 * `clients` buckets: clients × (1 + burst + rate × k) by the k-th second.
 */
export function replicasWithinQuota(
  series: readonly QuotaSecond[],
  clients: number,
  ratePerS: number,
  burst: number,
): QuotaCheck {
  let passed = 0;
  let k = 0;
  let worstExcess = Number.NEGATIVE_INFINITY;
  for (const second of series) {
    if (k === 0 && !(second.requests ?? 0)) continue;
    k += 1;
    for (const n of Object.values(second.instances ?? {})) passed += n;
    worstExcess = Math.max(worstExcess, passed - clients * (1 + burst + ratePerS * k));
  }
  const allowed = clients * (1 + burst + ratePerS * k);
  return {
    what: 'replicas',
    passed,
    allowed,
    worstExcess: k === 0 ? 0 : worstExcess,
    ok: k === 0 || worstExcess <= 0,
  };
}
