import type { AnnotateOptions, AnnotationLog } from '../stats/annotations';
import { mergeMetrics } from '../stats/custom-metrics';
import type { ReportSection, Summary, ThresholdResult } from '../stats/summary-types';

/** Marks on the run's timeline from `setup()` and `teardown()`, as `environment.annotate` does in users. */
export interface AnnotateContext {
  /** Adds an instant (or, with `end`, a window) to `summary.annotations`; returns its id. */
  annotate(label: string, options?: AnnotateOptions): string;
  /** Closes the window `id` now, or at `at` (epoch ms). */
  endAnnotation(id: string, at?: number): void;
}

/** What a scenario's `setup()` is given. */
export interface SetupContext extends AnnotateContext {
  /** The target (`--host`), if any. */
  host: string | undefined;
}

/** What a scenario's `teardown()` is given: the setup's data and the run's final summary. */
export interface TeardownContext<Data = unknown> extends AnnotateContext {
  host: string | undefined;
  data: Data;
  summary: Summary;
}

/**
 * What `teardown()` may add to the run: checks, which are judged with the thresholds (shown beside them, in the
 * exit code and in JUnit), and sections, titled tables that every report shows after its own.
 */
export interface TeardownResult {
  checks?: ThresholdResult[];
  sections?: ReportSection[];
  /**
   * Custom counters the teardown measured, e.g. `{ lost_writes: 3 }`: added to `summary.metrics` (to what users
   * counted under the same name), before the thresholds on custom metrics are judged.
   */
  metrics?: Record<string, number>;
}

/**
 * A scenario's life cycle, as k6 has it: `setup()` runs once before any user starts (its result is
 * `this.environment.setupData` in every user, every worker process included); `teardown()` once after the last
 * user stopped, before the reports are written. A setup that throws ends the run before it starts.
 *
 * @example
 * export async function setup({ host }: SetupContext) { return { ids: await seed(host) }; }
 * export async function teardown({ data, summary }: TeardownContext<{ ids: number[] }>): Promise<TeardownResult> {
 *   return { checks: [{ expression: 'seeded==100', actual: data.ids.length, ok: data.ids.length === 100 }] };
 * }
 */
export interface ScenarioLifecycle {
  setup?: (context: SetupContext) => unknown;
  teardown?: (context: TeardownContext) => TeardownResult | undefined | Promise<TeardownResult | undefined>;
}

/**
 * `setup()`'s and `teardown()`'s `annotate` and `endAnnotation`, writing to `log` (the run's, which the
 * summary's annotations come from).
 */
export function annotateContext(log: AnnotationLog, source: string): AnnotateContext {
  return {
    annotate: (label, options) => log.annotate(label, { source, ...options }, Date.now()),
    endAnnotation: (id, at) => log.end(id, at ?? Date.now()),
  };
}

/** Adds a teardown's checks and sections to a summary (pure: returns a new summary). */
export function withTeardown(summary: Summary, result: TeardownResult | undefined): Summary {
  if (!result) return summary;
  return {
    ...summary,
    thresholds: [...summary.thresholds, ...(result.checks ?? [])],
    sections: [...(summary.sections ?? []), ...(result.sections ?? [])],
    metrics: mergeMetrics([summary.metrics, result.metrics]),
  };
}
