import type { ReportSection, Summary, ThresholdResult } from '../stats/summary-types';

/** What a scenario's `setup()` is given. */
export interface SetupContext {
  /** The target (`--host`), if any. */
  host: string | undefined;
}

/** What a scenario's `teardown()` is given: the setup's data and the run's final summary. */
export interface TeardownContext<Data = unknown> {
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

/** Adds a teardown's checks and sections to a summary (pure: returns a new summary). */
export function withTeardown(summary: Summary, result: TeardownResult | undefined): Summary {
  if (!result) return summary;
  return {
    ...summary,
    thresholds: [...summary.thresholds, ...(result.checks ?? [])],
    sections: [...(summary.sections ?? []), ...(result.sections ?? [])],
  };
}
