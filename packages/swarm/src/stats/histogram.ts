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
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/** Records a duration given in milliseconds. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, us)));
}

/** The value at percentile `p` (0–100) in milliseconds; 0 for an empty histogram. */
export function percentileMs(h: Histogram, p: number): number {
  if (h.totalCount === 0) return 0;
  return h.getValueAtPercentile(p) / 1000;
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
