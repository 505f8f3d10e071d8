/** What apportionment needs to know about a user class. */
export interface WeightedClass {
  weight: number;
  fixedCount: number;
}

/**
 * An endless "largest deficit" sequence of class indices: at step k, the class furthest below k·w/W (ties to the
 * lower index). Every prefix is within one of the exact shares, and exactly proportional whenever k·w/W is whole;
 * with whole weights it repeats every W steps. `caps` bounds how often each class is taken; `next()` gives -1 once
 * no class can be.
 *
 * @example
 * const seq = new DeficitSequence([3, 1]);
 * [seq.next(), seq.next(), seq.next(), seq.next()]; // [0, 0, 1, 0]
 */
export class DeficitSequence {
  private readonly counts: number[];
  private readonly total: number;
  private k = 0;

  constructor(
    private readonly weights: readonly number[],
    private readonly caps?: readonly number[],
  ) {
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`bad weight ${w}: use a number ≥ 0`);
    }
    this.counts = weights.map(() => 0);
    this.total = weights.reduce((s, w) => s + w, 0);
  }

  next(): number {
    if (this.total <= 0) return -1;
    const k = ++this.k;
    let best = -1;
    let bestDeficit = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.weights.length; i++) {
      const w = this.weights[i]!;
      if (w <= 0 || (this.caps !== undefined && this.counts[i]! >= this.caps[i]!)) continue;
      // k·w/W − count, scaled by W: whole numbers for whole weights, so ties are exact.
      const deficit = k * w - this.counts[i]! * this.total;
      if (deficit > bestDeficit) {
        best = i;
        bestDeficit = deficit;
      }
    }
    if (best < 0) return -1;
    this.counts[best]! += 1;
    // Back at exact proportions (every W steps for whole weights): start over, so the numbers stay small.
    if (this.caps === undefined && this.counts.every((c, i) => c * this.total === k * this.weights[i]!)) {
      this.k = 0;
      this.counts.fill(0);
    }
    return best;
  }
}

/**
 * The closed model's users, as an endless sequence of class indices: first the `fixedCount` users (interleaved by
 * the same rule, so that a partial ramp still mixes them), then the weighted classes without a fixed count by
 * largest deficit.
 */
export class SpawnSequence {
  private fixedLeft: number;
  private readonly fixed: DeficitSequence;
  private readonly weighted: DeficitSequence;

  constructor(classes: readonly WeightedClass[]) {
    const fixed = classes.map((c) => c.fixedCount);
    this.fixedLeft = fixed.reduce((s, x) => s + x, 0);
    this.fixed = new DeficitSequence(fixed, fixed);
    this.weighted = new DeficitSequence(classes.map((c) => (c.fixedCount > 0 ? 0 : c.weight)));
  }

  /** The class of the next user, or -1 when there is none (only fixed counts, all spawned). */
  next(): number {
    if (this.fixedLeft > 0) {
      this.fixedLeft--;
      return this.fixed.next();
    }
    return this.weighted.next();
  }
}

/**
 * The deterministic order in which users are spawned, as class indices (`SpawnSequence`): first the `fixedCount`
 * users, then the weighted classes by "largest deficit" (at step k, the class furthest below k·w/W). Every prefix
 * of the sequence is within one user of the exact proportions and exactly proportional whenever k·w/W is whole,
 * so a ramp up and a ramp down (stopping the last spawned first) keep the weights — by construction, not by
 * chance. Segments deal this same sequence out (`SegmentDealer`).
 *
 * @example
 * spawnOrder([{ weight: 3, fixedCount: 0 }, { weight: 1, fixedCount: 0 }], 8); // [0, 0, 1, 0, 0, 0, 1, 0]
 */
export function spawnOrder(classes: readonly WeightedClass[], n: number): number[] {
  const seq = new SpawnSequence(classes);
  const order: number[] = [];
  for (let k = 0; k < n; k++) {
    const cls = seq.next();
    if (cls < 0) break;
    order.push(cls);
  }
  return order;
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
