import { collectServerSeries, resolveServerQueries } from '../prometheus';
import { renderConsole } from '../report/console-report';
import { withTeardown } from '../runner/lifecycle';
import type { Summary, ThresholdResult } from '../stats/summary-types';
import { evaluateThresholds } from '../thresholds/evaluate';
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
}

/** A judged, reported run. */
export interface FinishedRun {
  summary: Summary;
  exitCode: number;
}

/**
 * The end of every run, headless or from the web UI, in this order: with `--prometheus`, the servers' series
 * over the run's window into `summary.server` (a failure is a warning there and on stderr, never the verdict) →
 * thresholds (and the run's own checks) →
 * the scenario's `teardown()` (a throwing teardown becomes a failed check: the run happened, its reports are still
 * written) → the comparison with `--baseline` → the console report on stdout → the file reports → the verdict
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
  let judged: Summary = {
    ...withServer,
    thresholds: [...evaluateThresholds(withServer, end.thresholds), ...(end.checks ?? [])],
  };
  const { teardown } = end.scenario;
  if (teardown) {
    try {
      judged = withTeardown(judged, await teardown({ host: end.host, data: end.setupData, summary: judged }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`swarm: teardown failed: ${message}\n`);
      judged = withTeardown(judged, {
        checks: [{ expression: `teardown: ${message}`, actual: null, ok: false }],
      });
    }
  }
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
