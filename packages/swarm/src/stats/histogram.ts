import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Values are microseconds; one hour is the largest value kept (larger ones are clamped to it). */
const HIGHEST_US = 3_600_000_000;

/**
 * A latency histogram at microsecond resolution with 3 significant digits: memory stays bounded (about 90 kB)
 * whatever the run length, and percentiles are within 0.1 % of the exact ones.
 *
 * @example
 * const h = createHistogram();
 * recordMs(h, 12.5);
 * percentileMs(h, 50); // ≈ 12.5
 */
export function createHistogram(): Histogram {
  // What hdr.build({ bitBucketSize: 32, useWebAssembly: false }) makes, without resizing.
  return new hdr.Int32Histogram(1, HIGHEST_US, 3);
}

const SHAPE = new hdr.Int32Histogram(1, HIGHEST_US, 3);
const HALF_MAGNITUDE = SHAPE.subBucketHalfCountMagnitude;
const UNIT_MAGNITUDE = SHAPE.unitMagnitude;
const HALF_COUNT = SHAPE.subBucketHalfCount;

/**
 * The slot HdrHistogram's `countsArrayIndex` gives a value of 1 … HIGHEST_US (< 2^32), with integer operations:
 * the library's own takes a `log2`, two `pow`s and a division, and every request records into three histograms
 * (its row, the total, its second). `histogram.test.ts` checks it against the library's, value by value.
 */
export function countsIndex(us: number): number {
  const b = 31 - Math.clz32(us) - HALF_MAGNITUDE - UNIT_MAGNITUDE;
  const bucket = Math.max(b, 0);
  return ((bucket + 1) << HALF_MAGNITUDE) + (us >>> (bucket + UNIT_MAGNITUDE)) - HALF_COUNT;
}

/** Records a duration given in milliseconds: what `recordValue` does, with the slot from `countsIndex`. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
  const j = h as hdr.JsHistogram;
  j.incrementCountAtIndex(countsIndex(us));
  j.updateMinAndMax(us);
  j.incrementTotalCount();
}

/** The exact smallest and largest values recorded (ms), kept beside a histogram, whose buckets know them to 0.1 %. */
export interface Extremes {
  minMs: number;
  maxMs: number;
}

/**
 * The value at percentile `p` (0–100) in milliseconds, within the exact recorded range; 0 for an empty histogram.
 * HdrHistogram answers with the top of the value's bucket, which lies above the sample itself: unclamped, p100
 * of a run whose slowest request took 268.327 ms read 268.543, and with under 100 samples p99 exceeded the max
 * too. So p100 is the recorded max itself and every other percentile lies within [min, max]. Every number a
 * report shows goes through here; `range` is null only for data written without its extremes (older summaries).
 *
 * @example
 * percentileMs(h, 100, { minMs: 1.2, maxMs: 268.327 }); // 268.327
 */
export function percentileMs(h: Histogram, p: number, range: Extremes | null): number {
  if (h.totalCount === 0) return 0;
  const ms = h.getValueAtPercentile(p) / 1000;
  if (range === null) return ms;
  if (p >= 100) return range.maxMs;
  return Math.min(range.maxMs, Math.max(range.minMs, ms));
}

/** The extremes of something that may carry them (absent in older summaries, inverted when it saw nothing). */
export function rangeOf(x: { minMs?: number; maxMs?: number } | null | undefined): Extremes | null {
  if (x?.minMs === undefined || x.maxMs === undefined || !(x.minMs <= x.maxMs)) return null;
  return x as Extremes;
}

/** A compact, JSON-safe encoding (compressed base64, the HdrHistogram standard) used by summaries and merges. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes `encodeHistogram` output into a histogram that records and merges like a fresh one. */
export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Re-home the counts in a histogram of the standard range so that every merge target has the same shape.
  const h = createHistogram();
  h.add(decoded);
  return h;
}
