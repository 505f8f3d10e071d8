import type { RequestEvent } from '../events/request-event';

/** A request event with defaults, for tests of the pure cores. */
export function requestEvent(overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    method: 'GET',
    name: '/x',
    ms: 10,
    bytes: 100,
    status: 200,
    error: null,
    throttled: false,
    time: 1_700_000_000_000,
    ...overrides,
  };
}

/** A deterministic pseudo-random generator (mulberry32), so tests use the same samples every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile of samples: the reference the histograms are compared with. */
export function exactPercentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
