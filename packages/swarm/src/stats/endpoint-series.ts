import type { RequestEvent } from '../events/request-event';
import { createHistogram, decodeHistogram, encodeHistogram, type Histogram, recordMs } from './histogram';
import type { EndpointPoint } from './summary-types';

interface OpenBucket {
  method: string;
  name: string;
  requests: number;
  failures: number;
  bytes: number;
  minMs: number;
  maxMs: number;
  hist: Histogram;
}

/**
 * Per-second history of every (method, name) row, kept only when asked (`--csv-full-history`, Locust's flag for a
 * history row per endpoint): each second, per row, its requests, failures, bytes, exact min and max and encoded
 * histogram. Pure: the caller passes each event and calls `closeBefore` once a second. One histogram per row is
 * reused for the open second.
 *
 * @example
 * const series = new EndpointSeries();
 * events.request.add((e) => series.record(e));
 */
export class EndpointSeries {
  readonly points: EndpointPoint[] = [];
  private sec = -1;
  private readonly open = new Map<string, OpenBucket>();
  /** Histograms of rows without requests this second, kept for reuse. */
  private readonly spare = new Map<string, Histogram>();

  /** Records one finished request; a late event of a closed second goes to the open one. */
  record(e: RequestEvent): void {
    const sec = Math.floor(e.time / 1000);
    if (sec > this.sec) this.closeBefore(sec);
    const key = `${e.method}\u0000${e.name}`;
    let b = this.open.get(key);
    if (b === undefined) {
      const hist = this.spare.get(key) ?? createHistogram();
      this.spare.delete(key);
      b = {
        method: e.method,
        name: e.name,
        requests: 0,
        failures: 0,
        bytes: 0,
        minMs: e.ms,
        maxMs: e.ms,
        hist,
      };
      this.open.set(key, b);
    }
    b.requests += 1;
    if (e.error !== null) b.failures += 1;
    b.bytes += e.bytes;
    if (e.ms < b.minMs) b.minMs = e.ms;
    if (e.ms > b.maxMs) b.maxMs = e.ms;
    recordMs(b.hist, e.ms);
  }

  /** Closes the open second if it is before epoch second `sec`: one point per row that had requests in it. */
  closeBefore(sec: number): void {
    if (this.sec === -1 || sec <= this.sec) {
      this.sec = Math.max(this.sec, sec);
      return;
    }
    for (const [key, b] of this.open) {
      this.points.push({
        t: this.sec,
        method: b.method,
        name: b.name,
        requests: b.requests,
        failures: b.failures,
        bytes: b.bytes,
        minMs: b.minMs,
        maxMs: b.maxMs,
        hist: encodeHistogram(b.hist),
      });
      b.hist.reset();
      this.spare.set(key, b.hist);
    }
    this.open.clear();
    this.sec = sec;
  }
}

/**
 * Merges the per-endpoint series of worker processes or segments (pure): points of the same second and row add
 * their counts, merge their histograms and keep the extremes; sorted by second, then name and method.
 */
export function mergeEndpointSeries(series: ReadonlyArray<readonly EndpointPoint[]>): EndpointPoint[] {
  const merged = new Map<string, { p: EndpointPoint; h: Histogram | null }>();
  for (const points of series) {
    for (const p of points) {
      const key = `${p.t}\u0000${p.method}\u0000${p.name}`;
      const seen = merged.get(key);
      if (seen === undefined) {
        merged.set(key, { p: { ...p }, h: null });
        continue;
      }
      seen.h ??= decodeHistogram(seen.p.hist);
      seen.h.add(decodeHistogram(p.hist));
      seen.p.requests += p.requests;
      seen.p.failures += p.failures;
      seen.p.bytes += p.bytes;
      seen.p.minMs = Math.min(seen.p.minMs, p.minMs);
      seen.p.maxMs = Math.max(seen.p.maxMs, p.maxMs);
    }
  }
  return [...merged.values()]
    .map(({ p, h }) => (h === null ? p : { ...p, hist: encodeHistogram(h) }))
    .sort(
      (a, b) => a.t - b.t || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.method.localeCompare(b.method)),
    );
}
