/** Segment `index` (0-based) of `count`: this process or machine runs every `count`-th user or arrival. */
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

/** True when global user (or arrival) number `k` belongs to this segment: round robin keeps proportions. */
export function owns(segment: Segment, k: number): boolean {
  return k % segment.count === segment.index;
}

/** How many of the first `n` global users belong to this segment. */
export function ownedCount(segment: Segment, n: number): number {
  return Math.floor(n / segment.count) + (n % segment.count > segment.index ? 1 : 0);
}

export function formatSegment(segment: Segment): string {
  return `${segment.index + 1}/${segment.count}`;
}
