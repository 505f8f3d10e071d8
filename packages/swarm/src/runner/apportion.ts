/** What apportionment needs to know about a user class. */
export interface WeightedClass {
  weight: number;
  fixedCount: number;
}

/**
 * The deterministic order in which users are spawned, as class indices: first the `fixedCount` users, then
 * the weighted classes by "largest deficit" (at step k, the class furthest below k·w/W). Every prefix of the
 * sequence is within one user of the exact proportions and exactly proportional whenever k·w/W is whole, so a
 * ramp up, a ramp down (stopping the last spawned first) and a split into segments all keep the weights —
 * by construction, not by chance.
 *
 * @example
 * spawnOrder([{ weight: 3, fixedCount: 0 }, { weight: 1, fixedCount: 0 }], 8); // [0, 0, 1, 0, 0, 0, 1, 0]
 */
export function spawnOrder(classes: readonly WeightedClass[], n: number): number[] {
  const order: number[] = [];
  const fixed = classes.map((c) => c.fixedCount);
  const fixedTotal = fixed.reduce((s, x) => s + x, 0);
  // Fixed users first, interleaved by the same rule so that a partial ramp still mixes them.
  appendByDeficit(order, fixed, Math.min(n, fixedTotal), fixed);
  const weights = classes.map((c) => (c.fixedCount > 0 ? 0 : c.weight));
  if (order.length < n && weights.some((w) => w > 0)) appendByDeficit(order, weights, n - order.length);
  return order;
}

function appendByDeficit(order: number[], weights: number[], count: number, caps?: number[]): void {
  const total = weights.reduce((s, w) => s + w, 0);
  if (total <= 0) return;
  const counts = weights.map(() => 0);
  for (let k = 1; k <= count; k++) {
    let best = -1;
    let bestDeficit = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < weights.length; i++) {
      if (weights[i]! <= 0 || (caps !== undefined && counts[i]! >= caps[i]!)) continue;
      const deficit = (k * weights[i]!) / total - counts[i]!;
      if (deficit > bestDeficit + 1e-12) {
        best = i;
        bestDeficit = deficit;
      }
    }
    counts[best]! += 1;
    order.push(best);
  }
}

/**
 * How many users of each class a run of `n` users has (the counts of `spawnOrder`).
 *
 * @example
 * classCounts([{ weight: 3, fixedCount: 0 }, { weight: 1, fixedCount: 0 }], 100); // [75, 25]
 */
export function classCounts(classes: readonly WeightedClass[], n: number): number[] {
  const counts = classes.map(() => 0);
  for (const i of spawnOrder(classes, n)) counts[i]! += 1;
  return counts;
}
