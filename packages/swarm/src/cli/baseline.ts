import { type Comparison, compareSummaries } from '../compare/compare';
import type { Summary } from '../stats/summary-types';
import { readSummary } from './read-summary';
import type { RunArgs } from './run-args';
import { EXIT } from './usage-error';

/** `--baseline` of a run: read once before the run, so a bad file stops it before any load is sent. */
export interface Baseline {
  name: string;
  summary: Summary;
}

/** What the reports show: the baseline's name and the comparison of this run with it. */
export interface BaselineReport {
  name: string;
  comparison: Comparison;
}

/** Reads `--baseline FILE` if given (not in a `--processes` worker: its parent compares the merged run). */
export function loadBaseline(args: RunArgs): Baseline | undefined {
  if (args.baseline === undefined || args.worker) return undefined;
  return { name: args.baseline, summary: readSummary(args.baseline, '--baseline') };
}

/** Compares a finished run with the baseline, with the run's tolerance flags. */
export function compareWithBaseline(
  summary: Summary,
  baseline: Baseline | undefined,
  args: RunArgs,
): BaselineReport | undefined {
  if (baseline === undefined) return undefined;
  return { name: baseline.name, comparison: compareSummaries(baseline.summary, summary, args.compare) };
}

/**
 * The exit code of a finished run: 1 when a threshold failed or, with `--fail-on-regression`, the comparison
 * flagged a regression (said on stderr, since the table alone does not say why the run failed); else 0.
 */
export function runExitCode(summary: Summary, report: BaselineReport | undefined, args: RunArgs): number {
  const regressed = args.failOnRegression && report !== undefined && report.comparison.regressionCount > 0;
  if (regressed) {
    process.stderr.write(
      `swarm: --fail-on-regression: ${report.comparison.regressionCount} regression(s) against ${report.name}\n`,
    );
  }
  return summary.thresholds.every((t) => t.ok) && !regressed ? EXIT.ok : EXIT.thresholdFailed;
}
