import { type Comparison, compareSummaries } from '../compare/compare';
import type { Summary } from '../stats/summary-types';
import { readSummary } from './read-summary';
import type { RunArgs } from './run-args';

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

/** Reads `--baseline FILE` if given. */
export function loadBaseline(args: RunArgs): Baseline | undefined {
  if (args.baseline === undefined) return undefined;
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
