import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import {
  countsIndex,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  percentileMs,
  recordMs,
} from './histogram';
import { exactPercentile, seededRandom } from './test-support';

/**
 * 3 significant digits: within 0.1 % (plus the 1 µs resolution) of the exact percentile. HdrHistogram rounds
 * the rank to the nearest sample, so in a sparse tail it may report the neighbouring sample: allow rank ± 1.
 */
function expectClose(samples: number[], p: number, actual: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  const low = sorted[Math.max(0, rank - 2)]! * 0.999 - 0.001;
  const high = sorted[Math.min(sorted.length - 1, rank)]! * 1.001 + 0.001;
  expect(actual).toBeGreaterThanOrEqual(low);
  expect(actual).toBeLessThanOrEqual(high);
  expect(Math.abs(actual - exactPercentile(samples, p)) / exactPercentile(samples, p)).toBeLessThan(0.01);
}

describe('histogram percentiles', () => {
  const distributions: Record<string, (r: () => number) => number> = {
    uniform: (r) => 1 + r() * 999,
    exponential: (r) => -Math.log(1 - r()) * 40,
    bimodal: (r) => (r() < 0.9 ? 5 + r() * 5 : 800 + r() * 400),
    subMillisecond: (r) => 0.05 + r() * 0.5,
  };
  for (const [name, draw] of Object.entries(distributions)) {
    it(`matches exact percentiles of a ${name} distribution within 0.1 %`, () => {
      const r = seededRandom(42);
      const samples = Array.from({ length: 20_000 }, () => Math.round(draw(r) * 1000) / 1000);
      const h = createHistogram();
      for (const s of samples) recordMs(h, s);
      for (const p of [50, 90, 95, 99, 99.9]) expectClose(samples, p, percentileMs(h, p, null));
    });
  }

  it('gives 0 for an empty histogram', () => {
    expect(percentileMs(createHistogram(), 99, null)).toBe(0);
  });

  it('round-trips through its encoding with identical percentiles', () => {
    const h = createHistogram();
    const r = seededRandom(7);
    for (let i = 0; i < 5000; i++) recordMs(h, r() * 300);
    const back = decodeHistogram(encodeHistogram(h));
    expect(back.totalCount).toBe(5000);
    for (const p of [50, 99, 99.99]) expect(percentileMs(back, p, null)).toBe(percentileMs(h, p, null));
  });

  it('reports no percentile above the recorded max or below the min, and p100 as the max itself', () => {
    // 268.327 ms sits low in a 128 µs bucket whose top is 268.543 ms; 1.2344 ms rounds down to 1.234 ms.
    const samples = [1.2344, 5, 80.5, 268.327];
    const h = createHistogram();
    for (const s of samples) recordMs(h, s);
    const range = { minMs: 1.2344, maxMs: 268.327 };
    expect(percentileMs(h, 100, null)).toBe(268.543); // what the buckets alone say
    expect(percentileMs(h, 100, range)).toBe(268.327);
    expect(percentileMs(h, 99, range)).toBe(268.327); // under 100 samples p99 is the max
    expect(percentileMs(h, 1, range)).toBe(1.2344);
    expect(percentileMs(h, 50, range)).toBe(percentileMs(h, 50, null));
    // And so after an encoding round trip, as worker summaries travel.
    expect(percentileMs(decodeHistogram(encodeHistogram(h)), 100, range)).toBe(268.327);
  });

  it('keeps every clamped percentile within 0.1 % of the exact one', () => {
    const r = seededRandom(11);
    for (const n of [1, 7, 99, 100, 1000]) {
      const samples = Array.from({ length: n }, () => Math.round((1 + r() * 400) * 1e4) / 1e4);
      const h = createHistogram();
      for (const s of samples) recordMs(h, s);
      const range = { minMs: Math.min(...samples), maxMs: Math.max(...samples) };
      let previous = 0;
      for (const p of [0.1, 50, 90, 95, 99, 99.9, 99.99, 100]) {
        const v = percentileMs(h, p, range);
        expect(v).toBeGreaterThanOrEqual(range.minMs);
        expect(v).toBeLessThanOrEqual(range.maxMs);
        expect(v).toBeGreaterThanOrEqual(previous);
        expect(Math.abs(v - exactPercentile(samples, p)) / exactPercentile(samples, p)).toBeLessThan(0.001);
        previous = v;
      }
    }
  });

  it('clamps values longer than an hour instead of throwing', () => {
    const h = createHistogram();
    recordMs(h, 5 * 3_600_000);
    expect(percentileMs(h, 100, null)).toBeGreaterThanOrEqual(3_599_000);
  });

  it('puts every value in the slot the library would (countsIndex, recordMs)', () => {
    const lib = createHistogram() as hdr.JsHistogram;
    const values: number[] = [];
    for (let us = 1; us <= 300_000; us++) values.push(us);
    for (let k = 0; k < 32; k++) for (const d of [-1, 0, 1]) values.push(2 ** k + d);
    const r = seededRandom(5);
    for (let i = 0; i < 100_000; i++) values.push(1 + Math.floor(r() * 3_599_999_999));
    values.push(3_600_000_000);
    for (const us of values) {
      if (us < 1 || us > 3_600_000_000) continue;
      if (countsIndex(us) !== lib.countsArrayIndex(us))
        expect(countsIndex(us)).toBe(lib.countsArrayIndex(us));
    }
    // The same histogram, bit for bit, as the library's own recordValue makes.
    const mine = createHistogram();
    const theirs = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 3,
      bitBucketSize: 32,
      useWebAssembly: false,
    });
    for (let i = 0; i < 20_000; i++) {
      const ms = i % 97 === 0 ? 5 * 3_600_000 : Math.round(-Math.log(1 - r()) * 40_000) / 1000;
      recordMs(mine, ms);
      theirs.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round(ms * 1000))));
    }
    expect(mine.totalCount).toBe(theirs.totalCount);
    expect(mine.minNonZeroValue).toBe(theirs.minNonZeroValue);
    expect(mine.maxValue).toBe(theirs.maxValue);
    expect(encodeHistogram(mine)).toBe(encodeHistogram(theirs));
  });
});
