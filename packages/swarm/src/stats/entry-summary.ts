import { decodeHistogram, encodeHistogram, percentileMs } from './histogram';
import { StatsEntry } from './stats-entry';
import { type CacheSummary, type EntrySummary, PERCENTILES, type Percentiles } from './summary-types';

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function percentilesOf(h: StatsEntry['hist']): Percentiles {
  const out: Percentiles = {};
  for (const p of PERCENTILES) out[String(p)] = percentileMs(h, p);
  return out;
}

/** Where in time a summary is taken: for the run-wide and the current (sliding-window) rates. */
export interface SummaryClock {
  durationS: number;
  nowSec: number;
  startSec: number;
}

/** The serialisable summary of one entry (pure). */
export function describeEntry(e: StatsEntry, clock: SummaryClock): EntrySummary {
  const n = e.requests;
  const cache: Record<string, CacheSummary> = {};
  for (const [value, b] of [...e.cache].sort(([a], [b]) => a.localeCompare(b))) {
    const count = b.hist.totalCount;
    cache[value] = {
      requests: count,
      avgMs: count === 0 ? 0 : round3(b.sumUs / count / 1000),
      p50Ms: percentileMs(b.hist, 50),
      p95Ms: percentileMs(b.hist, 95),
      sumUs: b.sumUs,
      hist: encodeHistogram(b.hist),
    };
  }
  const percentiles = percentilesOf(e.hist);
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
    currentRps: round3(e.currentRps(clock.nowSec, clock.startSec)),
    currentFailRps: round3(e.currentFailRps(clock.nowSec, clock.startSec)),
    instances: Object.fromEntries([...e.instances].sort(([a], [b]) => a.localeCompare(b))),
    cache,
    hist: encodeHistogram(e.hist),
  };
  if (e.service !== null) {
    const count = e.service.hist.totalCount;
    summary.service = {
      avgMs: count === 0 ? 0 : round3(e.service.sumUs / count / 1000),
      sumUs: e.service.sumUs,
      percentiles: percentilesOf(e.service.hist),
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
  if (s.service !== undefined) {
    e.service = { sumUs: s.service.sumUs, hist: decodeHistogram(s.service.hist) };
  }
  for (const [k, n] of Object.entries(s.instances)) e.instances.set(k, n);
  for (const [k, c] of Object.entries(s.cache))
    e.cache.set(k, { sumUs: c.sumUs, hist: decodeHistogram(c.hist) });
  e.carriedRps = s.currentRps;
  e.carriedFailRps = s.currentFailRps;
  return e;
}
