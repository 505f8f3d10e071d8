/**
 * "The hit ratio back to >= 90% within 15 s of Redis's return": from the run's time series (responses per second
 * by `X-Cache`, Swarm's `timeSeries[].cache`), how long after a moment the reads' hit ratio reached a target and
 * held it. Pure.
 */

/** The part of a time point this reads (Swarm's TimePoint). */
export interface CacheSecond {
  /** Epoch second. */
  t: number;
  cache: Record<string, number>;
}

export interface HitRatioBack {
  /** Seconds from `since` to the first second of a held ratio; null when it never got there in the run. */
  seconds: number | null;
  /** The ratio in each second after `since`, rounded, for the console. */
  ratios: number[];
}

/**
 * When the share of HIT among the responses that carried an `X-Cache` value (HIT, MISS, BYPASS, ...) was at least
 * `target` for `holdS` seconds in a row, after `since` (epoch ms). Seconds without such responses are skipped.
 *
 * @example
 * hitRatioBack(series, redisStartedAt, 0.9); // { seconds: 4, ratios: [0.2, 0.6, 0.85, 0.93, ...] }
 */
export function hitRatioBack(
  series: readonly CacheSecond[],
  since: number,
  target: number,
  holdS = 3,
): HitRatioBack {
  const from = Math.floor(since / 1000);
  const ratios: number[] = [];
  let streakStart: number | null = null;
  let streak = 0;
  for (const p of series) {
    if (p.t < from) continue;
    const total = Object.values(p.cache).reduce((s, n) => s + n, 0);
    if (total === 0) continue;
    const ratio = (p.cache.HIT ?? 0) / total;
    ratios.push(Math.round(ratio * 100) / 100);
    if (ratio >= target) {
      streakStart ??= p.t;
      if (++streak >= holdS) return { seconds: Math.max(0, streakStart - since / 1000), ratios };
    } else {
      streakStart = null;
      streak = 0;
    }
  }
  return { seconds: null, ratios };
}
