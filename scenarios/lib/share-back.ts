/**
 * "app2 back in the rotation with its share": from the run's time series (requests per second by the replica that
 * answered, Swarm's `timeSeries[].instances`), how long after a replica came back it served its share again.
 * Pure.
 */

/** The part of a time point this reads (Swarm's TimePoint). */
export interface InstanceSecond {
  /** Epoch second. */
  t: number;
  instances: Record<string, number>;
}

export interface ShareBackOptions {
  /** Replicas in the rotation: a fair share is 1/replicas of the requests that named a replica. */
  replicas: number;
  /** The share that counts as back, as a part of the fair share (default 0.5). */
  fraction?: number;
  /** Consecutive seconds it must hold (default 3). */
  holdS?: number;
}

export interface ShareBack {
  part: string;
  /** Epoch ms when the part was ready again. */
  backAt: number;
  /** Seconds from `backAt` to the first second of a held share; null when it never got there in the run. */
  seconds: number | null;
  /** Its share in the seconds after it came back, rounded, for the console. */
  shares: number[];
}

/**
 * When `part` served at least `fraction` of a fair share for `holdS` seconds in a row, after `backAt`. A second
 * in which no request named a replica neither counts nor breaks the streak.
 *
 * @example
 * shareBack(series, 'app2', startEndMs, { replicas: 3 }); // { seconds: 1, ... }
 */
export function shareBack(
  series: readonly InstanceSecond[],
  part: string,
  backAt: number,
  options: ShareBackOptions,
): ShareBack {
  const fair = 1 / options.replicas;
  const fraction = options.fraction ?? 0.5;
  const hold = options.holdS ?? 3;
  const from = Math.floor(backAt / 1000);
  const shares: number[] = [];
  let streakStart: number | null = null;
  let streak = 0;
  for (const p of series) {
    if (p.t < from) continue;
    const total = Object.values(p.instances).reduce((s, n) => s + n, 0);
    if (total === 0) continue;
    const share = (p.instances[part] ?? 0) / total;
    shares.push(Math.round(share * 100) / 100);
    if (share >= fraction * fair) {
      streakStart ??= p.t;
      streak++;
      if (streak >= hold) return { part, backAt, seconds: Math.max(0, streakStart - backAt / 1000), shares };
    } else {
      streakStart = null;
      streak = 0;
    }
  }
  return { part, backAt, seconds: null, shares };
}
