import type { RequestEvent } from '../events/request-event';
import { createHistogram, type Extremes, type Histogram, recordMs } from './histogram';
import { RateWindow } from './rate-window';

/**
 * Times of a subset of the requests (one `X-Cache` value, or the open model's service time): an exact sum, the
 * exact extremes (which bound its percentiles) and a histogram.
 */
export interface TimeBucket extends Extremes {
  sumUs: number;
  hist: Histogram;
}

/** Latency of one `X-Cache` value. */
export type CacheBucket = TimeBucket;

/** An empty bucket; its extremes are inverted until a value arrives. */
export function emptyBucket(): TimeBucket {
  return {
    sumUs: 0,
    hist: createHistogram(),
    minMs: Number.POSITIVE_INFINITY,
    maxMs: Number.NEGATIVE_INFINITY,
  };
}

/** Adds one time to a bucket; `us` is `ms` in whole microseconds. */
function addTime(b: TimeBucket, ms: number, us: number): void {
  b.sumUs += us;
  if (ms < b.minMs) b.minMs = ms;
  if (ms > b.maxMs) b.maxMs = ms;
  recordMs(b.hist, ms);
}

/** Adds bucket `from` into `into`: sums add, extremes combine, histograms merge. */
function addBucket(into: TimeBucket, from: TimeBucket): void {
  into.sumUs += from.sumUs;
  if (from.minMs < into.minMs) into.minMs = from.minMs;
  if (from.maxMs > into.maxMs) into.maxMs = from.maxMs;
  into.hist.add(from.hist);
}

/**
 * The statistics of one (method, name) row, or of the total. Counts add and histograms merge, so two entries
 * that saw two halves of the requests merge into exactly the entry that saw all of them.
 */
export class StatsEntry {
  requests = 0;
  failures = 0;
  throttled = 0;
  bytes = 0;
  sumUs = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = 0;
  readonly hist: Histogram = createHistogram();
  /** Open model only: the plain service time beside the corrected latency. */
  service: TimeBucket | null = null;
  readonly instances = new Map<string, number>();
  readonly cache = new Map<string, CacheBucket>();
  readonly requestWindow = new RateWindow();
  readonly failureWindow = new RateWindow();
  /** Current rates carried over from merged summaries, whose windows are not serialised. */
  carriedRps = 0;
  carriedFailRps = 0;

  constructor(
    readonly method: string,
    readonly name: string,
  ) {}

  /** Records one request; `sec` is its epoch second. */
  record(e: RequestEvent, sec: number): void {
    this.requests += 1;
    this.bytes += e.bytes;
    const ms = e.ms;
    // Sums are kept in whole microseconds so that merged sums equal the sum of the whole, bit for bit.
    const us = Math.round(ms * 1000);
    this.sumUs += us;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    recordMs(this.hist, ms);
    this.requestWindow.add(sec);
    if (e.error !== null) {
      this.failures += 1;
      this.failureWindow.add(sec);
    }
    if (e.throttled) this.throttled += 1;
    if (e.serviceMs !== undefined) {
      this.service ??= emptyBucket();
      addTime(this.service, e.serviceMs, Math.round(e.serviceMs * 1000));
    }
    if (e.instance !== undefined) this.instances.set(e.instance, (this.instances.get(e.instance) ?? 0) + 1);
    if (e.cache !== undefined) {
      let bucket = this.cache.get(e.cache);
      if (bucket === undefined) {
        bucket = emptyBucket();
        this.cache.set(e.cache, bucket);
      }
      addTime(bucket, ms, us);
    }
  }

  /** Adds `other` into this entry: counts add, histograms merge, min/max combine. */
  merge(other: StatsEntry): void {
    this.requests += other.requests;
    this.failures += other.failures;
    this.throttled += other.throttled;
    this.bytes += other.bytes;
    this.sumUs += other.sumUs;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    this.hist.add(other.hist);
    if (other.service !== null) {
      this.service ??= emptyBucket();
      addBucket(this.service, other.service);
    }
    for (const [k, n] of other.instances) this.instances.set(k, (this.instances.get(k) ?? 0) + n);
    for (const [k, b] of other.cache) {
      let mine = this.cache.get(k);
      if (mine === undefined) {
        mine = emptyBucket();
        this.cache.set(k, mine);
      }
      addBucket(mine, b);
    }
    this.carriedRps += other.carriedRps;
    this.carriedFailRps += other.carriedFailRps;
  }

  /** Requests per second over the last complete seconds before `endS` (see `RateWindow.rate`). */
  currentRps(endS: number, startS: number): number {
    return this.requestWindow.rate(endS, startS) + this.carriedRps;
  }

  currentFailRps(endS: number, startS: number): number {
    return this.failureWindow.rate(endS, startS) + this.carriedFailRps;
  }
}
