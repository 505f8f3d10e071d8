import { SpawnSequence, type WeightedClass } from './apportion';
import { type Segment, SegmentDealer } from './segment';

/**
 * The closed model's global users: their classes in spawn order (`SpawnSequence`: fixed counts first, then by
 * weight) and the segment each is dealt to (`SegmentDealer`). Grown on demand and kept, so global user k has the
 * same class and segment however a shape or the web UI ramps up and down — the segments of one run, each on its
 * own machine, agree on the plan without talking to each other.
 *
 * @example
 * const plan = new SpawnPlan([{ weight: 3, fixedCount: 0 }, { weight: 1, fixedCount: 0 }], 2);
 * plan.classAt(2); // 1 (the first writer)
 * plan.segmentAt(2); // 0
 */
export class SpawnPlan {
  private readonly sequence: SpawnSequence;
  private readonly dealer: SegmentDealer;
  private readonly classes: number[] = [];
  private readonly segments: number[] = [];

  constructor(classes: readonly WeightedClass[], segments = 1) {
    this.sequence = new SpawnSequence(classes);
    this.dealer = new SegmentDealer(classes.length, segments);
  }

  /** The class index of global user `k`, or -1 when the classes allow no such user (fixed counts only). */
  classAt(k: number): number {
    this.extendTo(k);
    return this.classes[k] ?? -1;
  }

  /** The segment (0-based) global user `k` belongs to, or -1 like `classAt`. */
  segmentAt(k: number): number {
    this.extendTo(k);
    return this.segments[k] ?? -1;
  }

  private extendTo(k: number): void {
    while (this.classes.length <= k) {
      const cls = this.sequence.next();
      if (cls < 0) return;
      this.classes.push(cls);
      this.segments.push(this.dealer.deal(cls));
    }
  }
}

/**
 * The users of each class in each segment of a run of `n` users (rows: segments, columns: classes). The rows
 * add up to `classCounts(classes, n)`, and any two rows differ by at most one user per class.
 *
 * @example
 * segmentClassCounts([{ weight: 3, fixedCount: 0 }, { weight: 1, fixedCount: 0 }], 20, 2); // [[7, 3], [8, 2]]
 */
export function segmentClassCounts(
  classes: readonly WeightedClass[],
  n: number,
  segments: number,
): number[][] {
  const plan = new SpawnPlan(classes, segments);
  const rows = Array.from({ length: segments }, () => classes.map(() => 0));
  for (let k = 0; k < n; k++) {
    const cls = plan.classAt(k);
    if (cls < 0) break;
    rows[plan.segmentAt(k)]![cls]! += 1;
  }
  return rows;
}

/** How many of a run's first `n` users belong to `segment` (its `config.users`). */
export function segmentUserCount(classes: readonly WeightedClass[], segment: Segment, n: number): number {
  const row = segmentClassCounts(classes, n, segment.count)[segment.index]!;
  return row.reduce((s, x) => s + x, 0);
}
