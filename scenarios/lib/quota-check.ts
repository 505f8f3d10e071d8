/**
 * The quota lab's server-side criterion, judged from the client's own seconds (pure): what a client got through
 * the gateway (every answer but a 429) never exceeds what its quota allows — nginx's limit_req is a token bucket of
 * `burst` requests refilled at `rate` per second, so by the end of the k-th second of the run at most
 * 1 + burst + rate × k requests can have passed. One row of the summary is one client (one API key).
 */

/** The per-second shape of a Swarm summary this reads. */
export interface QuotaSecond {
  endpoints?: Record<string, { statuses: Record<string, number> }>;
}

/** QUOTA_RATE (`10r/s`, `600r/m`) in requests per second; null for off (unset, empty, 0) or not a rate. */
export function quotaPerSecond(text: string | undefined): number | null {
  const m = /^(\d+)r\/(s|m)$/.exec(text?.trim() ?? '');
  if (!m) return null;
  const n = Number(m[1]);
  return n === 0 ? null : m[2] === 's' ? n : n / 60;
}

export interface QuotaCheck {
  row: string;
  /** Requests that passed (not 429) over the run. */
  passed: number;
  /** The most the quota allowed over the same seconds (1 + burst + rate × seconds). */
  allowed: number;
  /** The largest excess over the allowance at any second (≤ 0 when the quota held). */
  worstExcess: number;
  ok: boolean;
}

/**
 * Whether `row`'s passed requests stayed within 1 + burst + rate × k by every second k of `series` (counted from the
 * row's first second, so a late client is not given the seconds it did not use).
 *
 * @example
 * quotaHeld(summary.timeSeries, 'GET /api/users/:id [eager]', 10, 20); // { passed: 612, allowed: 621, ok: true, ... }
 */
export function quotaHeld(
  series: readonly QuotaSecond[],
  row: string,
  ratePerS: number,
  burst: number,
): QuotaCheck {
  let passed = 0;
  let k = 0;
  let worstExcess = Number.NEGATIVE_INFINITY;
  let started = false;
  for (const second of series) {
    const statuses = second.endpoints?.[row]?.statuses;
    if (!started && statuses === undefined) continue;
    started = true;
    k += 1;
    for (const [status, n] of Object.entries(statuses ?? {})) if (status !== '429') passed += n;
    worstExcess = Math.max(worstExcess, passed - (1 + burst + ratePerS * k));
  }
  const allowed = 1 + burst + ratePerS * k;
  return { row, passed, allowed, worstExcess: started ? worstExcess : 0, ok: worstExcess <= 0 || !started };
}
