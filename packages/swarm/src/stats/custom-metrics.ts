/** What a user sees as `this.environment.metrics`. */
export interface MetricsRecorder {
  /** Adds `n` (default 1) to the counter `name`, e.g. `metrics.add('stale_reads')`. */
  add(name: string, n?: number): void;
}

const NAME = /^[a-z_][a-z0-9_]*$/i;

/** Throws unless `name` can be named in a threshold (`lost_writes==0`). */
export function checkMetricName(name: string, where: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(
      `${where}: metric name ${JSON.stringify(name)} must be letters, digits and _ (e.g. lost_writes)`,
    );
  }
}

/**
 * Custom counters of one run, as k6's Counter (pure): named sums that merge by addition, so workers and segments
 * add up exactly. Declared names start at 0, so a threshold on a counter nobody bumped reads 0 rather than
 * "no metric".
 *
 * @example
 * const m = new CustomMetrics(['stale_reads']);
 * m.add('stale_reads'); m.snapshot(); // { stale_reads: 1 }
 */
export class CustomMetrics implements MetricsRecorder {
  private readonly counts = new Map<string, number>();

  constructor(declared: readonly string[] = []) {
    for (const name of declared) {
      checkMetricName(name, 'options.metrics');
      this.counts.set(name, 0);
    }
  }

  add(name: string, n = 1): void {
    const seen = this.counts.get(name);
    if (seen === undefined) checkMetricName(name, 'metrics.add');
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new Error(`metrics.add(${JSON.stringify(name)}, n): n must be a finite number, got ${String(n)}`);
    }
    this.counts.set(name, (seen ?? 0) + n);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/**
 * Sums counters by name (pure), sorted by name.
 *
 * @example
 * mergeMetrics([{ a: 1 }, { a: 2, b: 0 }]); // { a: 3, b: 0 }
 */
export function mergeMetrics(
  parts: ReadonlyArray<Record<string, number> | undefined>,
): Record<string, number> {
  const out = new Map<string, number>();
  for (const part of parts)
    for (const [k, v] of Object.entries(part ?? {})) out.set(k, (out.get(k) ?? 0) + v);
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
