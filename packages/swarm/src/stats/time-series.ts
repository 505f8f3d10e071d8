import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentileMs,
  rangeOf,
  recordMs,
} from './histogram';
import type { EndpointSecond, TimePoint } from './summary-types';

/** A row of the open second, keyed by the caller's own row object (no string built per request). */
interface OpenRow {
  method: string;
  name: string;
  requests: number;
  failures: number;
  statuses: Record<string, number> | null;
}

function bump(counts: Record<string, number>, key: string | undefined): void {
  if (key !== undefined) counts[key] = (counts[key] ?? 0) + 1;
}

/** The larger of two optional values: a worker's sample may be missing for a second another one has. */
function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/** A second with requests but without their extremes (a summary written before they were kept). */
function lacksExtremes(p: TimePoint): boolean {
  return p.requests > 0 && (p.minMs === undefined || p.maxMs === undefined);
}

/** The smaller of two optional values. */
function minOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [k, n] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + n;
}

/** Adds per-row seconds into `into` (copies, so a merge never changes its parts); returns `into`. */
function addEndpoints(
  into: Record<string, EndpointSecond>,
  from: Record<string, EndpointSecond>,
): Record<string, EndpointSecond> {
  for (const [k, e] of Object.entries(from)) {
    const seen = into[k];
    if (seen === undefined)
      into[k] = { requests: e.requests, failures: e.failures, statuses: { ...e.statuses } };
    else {
      seen.requests += e.requests;
      seen.failures += e.failures;
      addCounts(seen.statuses, e.statuses);
    }
  }
  return into;
}

/**
 * Per-second history (users, requests, failures, p50, p95, and the counts per replica and per cache outcome,
 * for the distribution over time and the cache's warm-up curve). Buckets are epoch seconds, so the series of worker
 * processes and of segments run on other machines line up and merge exactly. One histogram is reused for the
 * open bucket; closed buckets keep only their encoded histogram.
 */
export class TimeSeries {
  readonly points: TimePoint[] = [];
  private sec = -1;
  private requests = 0;
  private failures = 0;
  private bytes = 0;
  private users = 0;
  private instances: Record<string, number> = {};
  private cache: Record<string, number> = {};
  private minMs = Number.POSITIVE_INFINITY;
  private maxMs = Number.NEGATIVE_INFINITY;
  private readonly hist: Histogram = createHistogram();
  /** The open second's requests per row (`TimePoint.endpoints`). */
  private rows = new Map<object, OpenRow>();
  /** Engine samples for seconds whose bucket is still open, applied when it closes. */
  private readonly engine = new Map<number, { cpuPercent: number; lagMs: number }>();

  /** Records one request finished in epoch second `sec`. Late events of a closed second go to the open one. */
  record(sec: number, ms: number, failed: boolean, instance?: string, cache?: string, bytes = 0): void {
    if (sec > this.sec) this.closeBefore(sec);
    this.requests += 1;
    if (failed) this.failures += 1;
    this.bytes += bytes;
    bump(this.instances, instance);
    bump(this.cache, cache);
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    recordMs(this.hist, ms);
  }

  /**
   * Counts one request of the row `row` (any object standing for (method, name), e.g. its stats entry) in the
   * open second; call it right after `record` of the same request. Failures are kept by status.
   */
  recordRow(row: { method: string; name: string }, failed: boolean, status: number): void {
    let r = this.rows.get(row);
    if (r === undefined) {
      r = { method: row.method, name: row.name, requests: 0, failures: 0, statuses: null };
      this.rows.set(row, r);
    }
    r.requests += 1;
    if (failed) {
      r.failures += 1;
      r.statuses ??= {};
      bump(r.statuses, String(status));
    }
  }

  /** Notes the user count; the bucket keeps the last value seen. */
  setUsers(users: number): void {
    this.users = users;
  }

  /**
   * Notes the engine's CPU and lag over an interval, under the epoch second of its middle. Requests usually close
   * a bucket before the once-a-second sample arrives, so a closed point is annotated in place; a second sampled
   * twice keeps the worse values.
   */
  recordEngine(sec: number, cpuPercent: number, lagMs: number): void {
    for (let i = this.points.length - 1; i >= 0 && this.points[i]!.t >= sec; i--) {
      const p = this.points[i]!;
      if (p.t !== sec) continue;
      p.engineCpuPercent = maxOf(p.engineCpuPercent, cpuPercent);
      p.eventLoopLagMs = maxOf(p.eventLoopLagMs, lagMs);
      return;
    }
    // A second before the first point or already skipped cannot be annotated; one still open waits for closing.
    if (sec < this.sec) return;
    const seen = this.engine.get(sec);
    this.engine.set(sec, {
      cpuPercent: Math.max(seen?.cpuPercent ?? 0, cpuPercent),
      lagMs: Math.max(seen?.lagMs ?? 0, lagMs),
    });
  }

  /** Closes every bucket before epoch second `sec`, writing a point even for a second without requests. */
  closeBefore(sec: number): void {
    if (this.sec === -1) {
      this.sec = sec;
      return;
    }
    while (this.sec < sec) {
      const engine = this.engine.get(this.sec);
      this.engine.delete(this.sec);
      const range = rangeOf({ minMs: this.minMs, maxMs: this.maxMs });
      let endpoints: Record<string, EndpointSecond> | undefined;
      if (this.rows.size > 0) {
        endpoints = {};
        for (const r of this.rows.values()) {
          endpoints[`${r.method} ${r.name}`] = {
            requests: r.requests,
            failures: r.failures,
            statuses: r.statuses ?? {},
          };
        }
        this.rows = new Map();
      }
      this.points.push({
        t: this.sec,
        users: this.users,
        requests: this.requests,
        failures: this.failures,
        bytes: this.bytes,
        p50Ms: percentileMs(this.hist, 50, range),
        p95Ms: percentileMs(this.hist, 95, range),
        ...(range && { minMs: range.minMs, maxMs: range.maxMs }),
        hist: encodeHistogram(this.hist),
        instances: this.instances,
        cache: this.cache,
        ...(engine && { engineCpuPercent: engine.cpuPercent, eventLoopLagMs: engine.lagMs }),
        ...(endpoints && { endpoints }),
      });
      this.hist.reset();
      this.minMs = Number.POSITIVE_INFINITY;
      this.maxMs = Number.NEGATIVE_INFINITY;
      this.requests = 0;
      this.failures = 0;
      this.bytes = 0;
      this.instances = {};
      this.cache = {};
      this.sec += 1;
    }
  }
}

/**
 * Merges per-second series by second: counts and users add, histograms merge, percentiles are recomputed, and
 * the engine's CPU and lag take the maximum over the parts.
 */
export function mergeTimeSeries(series: TimePoint[][]): TimePoint[] {
  const bySec = new Map<number, { p: TimePoint; h: Histogram }>();
  for (const points of series) {
    for (const p of points) {
      const seen = bySec.get(p.t);
      if (seen === undefined) {
        const copy = { ...p, instances: { ...p.instances }, cache: { ...p.cache } };
        if (p.endpoints) copy.endpoints = addEndpoints({}, p.endpoints);
        bySec.set(p.t, { p: copy, h: decodeHistogram(p.hist) });
      } else {
        // Extremes bound the merged percentiles only when every part with requests brought its own.
        const unknown = lacksExtremes(seen.p) || lacksExtremes(p);
        seen.p.users += p.users;
        seen.p.requests += p.requests;
        seen.p.failures += p.failures;
        if (p.bytes !== undefined) seen.p.bytes = (seen.p.bytes ?? 0) + p.bytes;
        if (p.offered !== undefined) seen.p.offered = (seen.p.offered ?? 0) + p.offered;
        if (p.dropped !== undefined) seen.p.dropped = (seen.p.dropped ?? 0) + p.dropped;
        if (unknown) {
          delete seen.p.minMs;
          delete seen.p.maxMs;
        } else {
          const lo = minOf(seen.p.minMs, p.minMs);
          const hi = maxOf(seen.p.maxMs, p.maxMs);
          if (lo !== undefined) seen.p.minMs = lo;
          if (hi !== undefined) seen.p.maxMs = hi;
        }
        addCounts(seen.p.instances, p.instances);
        addCounts(seen.p.cache, p.cache);
        if (p.endpoints) seen.p.endpoints = addEndpoints(seen.p.endpoints ?? {}, p.endpoints);
        // Each worker is its own process on its own core: the busiest one says whether the generator kept up.
        const cpu = maxOf(seen.p.engineCpuPercent, p.engineCpuPercent);
        const lag = maxOf(seen.p.eventLoopLagMs, p.eventLoopLagMs);
        if (cpu !== undefined) seen.p.engineCpuPercent = cpu;
        if (lag !== undefined) seen.p.eventLoopLagMs = lag;
        seen.h.add(decodeHistogram(p.hist));
      }
    }
  }
  return [...bySec.values()]
    .sort((a, b) => a.p.t - b.p.t)
    .map(({ p, h }) => ({
      ...p,
      p50Ms: percentileMs(h, 50, rangeOf(p)),
      p95Ms: percentileMs(h, 95, rangeOf(p)),
      hist: encodeHistogram(h),
    }));
}
