import type { Summary } from '../stats/summary-types';
import type { BaselineReport } from './baseline';
import { EXIT } from './usage-error';

/** What decides a finished run's exit code besides its thresholds. */
export interface VerdictOptions {
  /** `--fail-on-regression`: a regression against the baseline fails the run. */
  failOnRegression: boolean;
  /** `--exit-code-on-error N`: the code when a request failed or a task raised (Locust's default 1). */
  exitCodeOnError: number;
}

/** A finished run's exit code and, when it is not 0, why (for stderr: the table alone may not say). */
export interface Verdict {
  code: number;
  reason: string | null;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The exit code of a finished run (pure): 1 when a threshold or check failed (a lost worker is a failed check) or,
 * with `--fail-on-regression`, the comparison with the baseline flagged a regression; otherwise, as Locust does,
 * `exitCodeOnError` (default 1) when any request failed or any task raised; else 0.
 *
 * @example
 * verdictOf(summary, undefined, { failOnRegression: false, exitCodeOnError: 1 }); // { code: 1, reason: '12 requests failed' }
 */
export function verdictOf(
  summary: Summary,
  baseline: BaselineReport | undefined,
  options: VerdictOptions,
): Verdict {
  const failed = summary.thresholds.filter((t) => !t.ok).length;
  if (failed > 0) {
    return {
      code: EXIT.thresholdFailed,
      reason: `${plural(failed, 'threshold or check', 'thresholds or checks')} failed`,
    };
  }
  const regressions = baseline?.comparison.regressionCount ?? 0;
  if (options.failOnRegression && regressions > 0) {
    return {
      code: EXIT.thresholdFailed,
      reason: `--fail-on-regression: ${plural(regressions, 'regression', 'regressions')} against ${baseline!.name}`,
    };
  }
  const failures = summary.total.failures;
  const raised = summary.exceptions.reduce((n, x) => n + x.count, 0);
  if ((failures > 0 || raised > 0) && options.exitCodeOnError !== EXIT.ok) {
    const what = [
      failures > 0 ? `${plural(failures, 'request', 'requests')} failed` : null,
      raised > 0 ? `${plural(raised, 'task', 'tasks')} raised` : null,
    ].filter((x) => x !== null);
    return {
      code: options.exitCodeOnError,
      reason: `${what.join(' and ')} (exit ${options.exitCodeOnError}; --exit-code-on-error sets it, 0 leaves the verdict to the thresholds)`,
    };
  }
  return { code: EXIT.ok, reason: null };
}
