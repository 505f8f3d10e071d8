/**
 * Picks items with probability proportional to their weights, by binary search in the cumulative weights
 * (one random number per pick, no array of repeated items).
 *
 * @example
 * const pick = weightedPicker(['a', 'b'], [3, 1]);
 * pick(); // 'a' three times in four
 */
export function weightedPicker<T>(
  items: readonly T[],
  weights: readonly number[],
  random: () => number = Math.random,
): () => T {
  if (items.length === 0) throw new Error('weightedPicker: no items');
  if (items.length !== weights.length) throw new Error('weightedPicker: one weight per item');
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`weightedPicker: bad weight ${w}`);
    sum += w;
    cumulative.push(sum);
  }
  if (sum <= 0) throw new Error('weightedPicker: all weights are 0');
  if (items.length === 1) {
    const only = items[0]!;
    return () => only;
  }
  return function pickWeighted(): T {
    const x = random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo]!;
  };
}
