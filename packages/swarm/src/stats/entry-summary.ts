import { decodeHistogram, encodeHistogram, type Histogram, percentileMs, rangeOf } from './histogram';
import { StatsEntry, type TimeBucket } from './stats-entry';
import { type CacheSummary, type EntrySummary, PERCENTILES, type Percentiles } from './summary-types';

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Locust's percentile columns, each within the exact extremes (so '100' is the max itself). */
function percentilesOf(h: Histogram, range: { minMs: number; maxMs: number }): Percentiles {
  const out: Percentiles = {};
  const known = rangeOf(range);
  for (const p of PERCENTILES) out[String(p)] = percentileMs(h, p, known);
  return out;
}

/** A bucket rebuilt from a summary; `fallback` bounds it when the summary predates its own extremes. */
function bucketFrom(
  b: { sumUs: number; hist: string; minMs?: number; maxMs?: number },
  fallback: { minMs: number; maxMs: number },
): TimeBucket {
  const known = b.minMs !== undefined && b.maxMs !== undefined;
  return {
    sumUs: b.sumUs,
    hist: decodeHistogram(b.hist),
    minMs: known ? b.minMs! : fallback.minMs,
    maxMs: known ? b.maxMs! : fallback.maxMs,
  };
}

/** Where in time a summary is taken: for the run-wide and the current (sliding-window) rates. */
export interface SummaryClock {
  durationS: number;
  /** End of the current-rate window, epoch seconds: whole for a live view (the second filling is left out). */
  endS: number;
  /** Start of the run, epoch seconds (fractional). */
  startS: number;
}

/** The serialisable summary of one entry (pure). */
export function describeEntry(e: StatsEntry, clock: SummaryClock): EntrySummary {
  const n = e.requests;
  const cache: Record<string, CacheSummary> = {};
  for (const [value, b] of [...e.cache].sort(([a], [b]) => a.localeCompare(b))) {
    const count = b.hist.totalCount;
    const range = rangeOf(b);
    cache[value] = {
      requests: count,
      avgMs: count === 0 ? 0 : round3(b.sumUs / count / 1000),
      p50Ms: percentileMs(b.hist, 50, range),
      p95Ms: percentileMs(b.hist, 95, range),
      ...(range && { minMs: range.minMs, maxMs: range.maxMs }),
      sumUs: b.sumUs,
      hist: encodeHistogram(b.hist),
    };
  }
  const percentiles = percentilesOf(e.hist, e);
  const summary: EntrySummary = {
    method: e.method,
    name: e.name,
    requests: n,
    failures: e.failures,
    throttled: e.throttled,
    bytes: e.bytes,
    avgBytes: n === 0 ? 0 : round3(e.bytes / n),
    sumUs: e.sumUs,
    minMs: n === 0 ? 0 : e.minMs,
    maxMs: e.maxMs,
    avgMs: n === 0 ? 0 : round3(e.sumUs / n / 1000),
    medianMs: percentiles['50']!,
    percentiles,
    rps: clock.durationS > 0 ? round3(n / clock.durationS) : 0,
    failRps: clock.durationS > 0 ? round3(e.failures / clock.durationS) : 0,
    currentRps: round3(e.currentRps(clock.endS, clock.startS)),
    currentFailRps: round3(e.currentFailRps(clock.endS, clock.startS)),
    instances: Object.fromEntries([...e.instances].sort(([a], [b]) => a.localeCompare(b))),
    cache,
    hist: encodeHistogram(e.hist),
  };
  if (e.service !== null) {
    const count = e.service.hist.totalCount;
    const range = rangeOf(e.service);
    summary.service = {
      avgMs: count === 0 ? 0 : round3(e.service.sumUs / count / 1000),
      ...(range && { minMs: range.minMs, maxMs: range.maxMs }),
      sumUs: e.service.sumUs,
      percentiles: percentilesOf(e.service.hist, e.service),
      hist: encodeHistogram(e.service.hist),
    };
  }
  return summary;
}

/** Rebuilds a mergeable entry from its summary (histograms decoded, counts restored). */
export function entryFromSummary(s: EntrySummary): StatsEntry {
  const e = new StatsEntry(s.method, s.name);
  e.requests = s.requests;
  e.failures = s.failures;
  e.throttled = s.throttled;
  e.bytes = s.bytes;
  e.sumUs = s.sumUs;
  e.minMs = s.requests === 0 ? Number.POSITIVE_INFINITY : s.minMs;
  e.maxMs = s.maxMs;
  e.hist.add(decodeHistogram(s.hist));
  // Older summaries lack the extremes of their subsets: the row's own bound them (a service time is at most the
  // latency from the intended start, which adds the lateness to it).
  if (s.service !== undefined) e.service = bucketFrom(s.service, { minMs: 0, maxMs: s.maxMs });
  for (const [k, n] of Object.entries(s.instances)) e.instances.set(k, n);
  for (const [k, c] of Object.entries(s.cache)) e.cache.set(k, bucketFrom(c, s));
  e.carriedRps = s.currentRps;
  e.carriedFailRps = s.currentFailRps;
  return e;
}
