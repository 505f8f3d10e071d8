import { collectServerSeries, resolveServerQueries } from '../prometheus';
import { renderConsole } from '../report/console-report';
import { annotateContext, withTeardown } from '../runner/lifecycle';
import { AnnotationLog, mergeAnnotations } from '../stats/annotations';
import { withRecovery } from '../stats/recovery';
import type { Summary, ThresholdResult } from '../stats/summary-types';
import { evaluateThresholds, isCustomThreshold } from '../thresholds/evaluate';
import type { Threshold } from '../thresholds/parse';
import { type Baseline, compareWithBaseline } from './baseline';
import { runCapacity } from './capacity-end';
import { verdictOf } from './exit-code';
import type { RunArgs } from './run-args';
import type { LoadedScenario } from './scenario';
import { writeJson, writeReports } from './write-reports';

/** What the end of a run needs besides its summary. */
export interface RunEnd {
  args: RunArgs;
  scenario: LoadedScenario;
  thresholds: readonly Threshold[];
  /** The target the run was given (what `teardown()` is told). */
  host: string | undefined;
  /** What `setup()` returned, handed to `teardown()`. */
  setupData: unknown;
  baseline?: Baseline | undefined;
  /** Checks of the run itself, judged with the thresholds (e.g. a lost worker). */
  checks?: ThresholdResult[];
  /**
   * The run's timeline marks kept outside the run's own (the `--annotations` file, `setup()`); `teardown()`
   * writes here too. Its annotations join the summary's.
   */
  annotations?: AnnotationLog;
}

/** A judged, reported run. */
export interface FinishedRun {
  summary: Summary;
  exitCode: number;
}

/**
 * The end of every run, headless or from the web UI, in this order: with `--prometheus`, the servers' series
 * over the run's window into `summary.server` (a failure is a warning there and on stderr, never the verdict) →
 * the annotations (the run's and `end.annotations`') and the recovery per fault window →
 * thresholds (and the run's own checks) →
 * the scenario's `teardown()` (a throwing teardown becomes a failed check: the run happened, its reports are still
 * written; its `metrics` join the summary's) → the thresholds on custom metrics → the comparison with `--baseline` → the console report on stdout → the file reports → the verdict
 * (said on stderr when it is not 0).
 *
 * @example
 * const { exitCode } = await finishRun(await runSwarm(options), { args, scenario, thresholds, host, setupData });
 */
export async function finishRun(summary: Summary, end: RunEnd): Promise<FinishedRun> {
  const url = end.args.prometheus;
  const withServer: Summary =
    url === undefined
      ? summary
      : {
          ...summary,
          server: await collectServerSeries(summary, {
            url,
            queries: resolveServerQueries(
              end.scenario.classes,
              end.scenario.options.serverQueries,
              end.args.serverQueries,
            ),
          }),
        };
  const log = end.annotations ?? new AnnotationLog('t');
  const annotated = withRecovery(
    { ...withServer, annotations: mergeAnnotations([withServer.annotations, log.list()]) },
    end.scenario.options.recovery,
  );
  const builtIn = end.thresholds.filter((t) => !isCustomThreshold(t));
  let judged: Summary = {
    ...annotated,
    thresholds: [...evaluateThresholds(annotated, builtIn), ...(end.checks ?? [])],
  };
  const { teardown } = end.scenario;
  if (teardown) {
    try {
      const context = {
        host: end.host,
        data: end.setupData,
        summary: judged,
        ...annotateContext(log, 'teardown'),
      };
      judged = withTeardown(judged, await teardown(context));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`swarm: teardown failed: ${message}\n`);
      judged = withTeardown(judged, {
        checks: [{ expression: `teardown: ${message}`, actual: null, ok: false }],
      });
    }
  }
  // Custom counters are judged after teardown, whose `metrics` (lost writes, stale reads) count too.
  judged = {
    ...judged,
    annotations: mergeAnnotations([judged.annotations, log.list()]),
    thresholds: [
      ...judged.thresholds,
      ...evaluateThresholds(
        judged,
        end.thresholds.filter((t) => isCustomThreshold(t)),
      ),
    ],
  };
  const compared = compareWithBaseline(judged, end.baseline, end.args);
  // With --abort-on: the knee by its SLO, in the summary (so every report shows it) and on the console.
  const capacity = end.args.abortOn ? runCapacity(judged, end.args.abortOn) : null;
  if (capacity !== null) judged = { ...judged, capacity: capacity.json };
  process.stdout.write(renderConsole(judged, { baseline: compared }));
  if (capacity !== null) process.stdout.write(`\n${capacity.text}`);
  const written = writeReports(judged, end.args, compared);
  if (capacity !== null && end.args.capacityJson)
    written.push(writeJson(end.args.capacityJson, capacity.json));
  for (const path of written) process.stderr.write(`swarm: wrote ${path}\n`);
  const verdict = verdictOf(judged, compared, end.args);
  if (verdict.reason !== null) process.stderr.write(`swarm: exit ${verdict.code}: ${verdict.reason}\n`);
  return { summary: judged, exitCode: verdict.code };
}
