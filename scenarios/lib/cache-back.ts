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
 * When the share of HIT among the responses that carried an `X-Cache` value (HIT, MISS, BYPASS, ...) reached
 * `target` over `holdS` consecutive seconds taken together (a second of 25 reads moves the ratio by 4 points, so
 * one second alone is noise), after `since` (epoch ms): seconds from `since` to the first second of that span.
 * Seconds without such responses are skipped.
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
  const span: Array<{ t: number; hit: number; total: number }> = [];
  for (const p of series) {
    if (p.t < from) continue;
    const total = Object.values(p.cache).reduce((s, n) => s + n, 0);
    if (total === 0) continue;
    const hit = p.cache.HIT ?? 0;
    ratios.push(Math.round((hit / total) * 100) / 100);
    span.push({ t: p.t, hit, total });
    if (span.length > holdS) span.shift();
    if (span.length < holdS) continue;
    const sum = span.reduce((acc, x) => ({ hit: acc.hit + x.hit, total: acc.total + x.total }), {
      hit: 0,
      total: 0,
    });
    if (sum.hit / sum.total >= target) return { seconds: Math.max(0, span[0]!.t - since / 1000), ratios };
  }
  return { seconds: null, ratios };
}

/** The HIT share of the `X-Cache` responses in the seconds that start in [fromMs, toMs); null without any. */
export function hitRatioBetween(series: readonly CacheSecond[], fromMs: number, toMs: number): number | null {
  let hit = 0;
  let total = 0;
  for (const p of series) {
    if (p.t * 1000 < fromMs || p.t * 1000 >= toMs) continue;
    hit += p.cache.HIT ?? 0;
    total += Object.values(p.cache).reduce((sum, n) => sum + n, 0);
  }
  return total === 0 ? null : hit / total;
}
