/** Segment `index` (0-based) of `count`: this process or machine runs its share of the users or arrivals. */
export interface Segment {
  index: number;
  count: number;
}

/**
 * Parses `--segment i/n` (1-based, as people count machines) into a 0-based segment.
 *
 * @example
 * parseSegment('2/4'); // { index: 1, count: 4 }
 */
export function parseSegment(text: string): Segment {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : Number.NaN;
  const n = m ? Number(m[2]) : Number.NaN;
  if (!(n >= 1 && i >= 1 && i <= n))
    throw new Error(`bad segment "${text}": use i/n with 1 ≤ i ≤ n, e.g. 2/4`);
  return { index: i - 1, count: n };
}

/** The whole run as one segment. */
export const WHOLE: Segment = { index: 0, count: 1 };

/**
 * Deals a global sequence of users (or arrivals), each of a known class, out to `segments` segments, one at a time
 * and for good: the j-th user of a class goes to a segment that has the fewest of that class so far (among them,
 * the one with the fewest users, then the lowest index). So at every point of the sequence any two segments differ
 * by at most one user of each class — each segment keeps the proportions as closely as whole users allow and can
 * be read on its own — and, since every user goes to exactly one segment, the segments add up to the sequence
 * itself. (Taking every n-th user instead gave segment 2/2 of a 3:1 run of 20 users 10 readers and no writer.)
 * Segment totals stay within one user of an even share with two classes, within two with more.
 *
 * @example
 * const d = new SegmentDealer(2, 2);
 * [0, 0, 1, 0, 0, 0, 1, 0].map((cls) => d.deal(cls)); // [0, 1, 0, 1, 0, 1, 1, 0]
 */
export class SegmentDealer {
  /** Users dealt so far, per segment and class. */
  private readonly counts: Int32Array;
  private readonly totals: Int32Array;

  constructor(
    private readonly classes: number,
    readonly segments: number,
  ) {
    this.counts = new Int32Array(segments * classes);
    this.totals = new Int32Array(segments);
  }

  /** The segment the next user, of class `cls`, belongs to. */
  deal(cls: number): number {
    let best = 0;
    for (let s = 1; s < this.segments; s++) {
      const mine = this.counts[s * this.classes + cls]!;
      const theirs = this.counts[best * this.classes + cls]!;
      if (mine < theirs || (mine === theirs && this.totals[s]! < this.totals[best]!)) best = s;
    }
    this.counts[best * this.classes + cls]! += 1;
    this.totals[best]! += 1;
    return best;
  }
}

/**
 * How many of the first `n` global arrivals (or users, with one class) belong to this segment: an even share,
 * the first `n mod count` segments one more. With several classes `segmentClassCounts` gives the real numbers.
 */
export function ownedCount(segment: Segment, n: number): number {
  return Math.floor(n / segment.count) + (n % segment.count > segment.index ? 1 : 0);
}

export function formatSegment(segment: Segment): string {
  return `${segment.index + 1}/${segment.count}`;
}
