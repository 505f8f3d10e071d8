import { parseDuration } from '../runner/duration';
import { rateStages } from '../runner/load-shape';
import type { RunOptions } from '../runner/run-options';
import { abortOn } from '../runner/slo-abort';
import { checkMetricName } from '../stats/custom-metrics';
import { parseThreshold, type Threshold } from '../thresholds/parse';
import type { RunArgs } from './run-args';
import type { LoadedScenario, ScenarioOptions } from './scenario';
import { UsageError } from './usage-error';

function scenarioThresholds(o: ScenarioOptions): Threshold[] {
  return (o.thresholds ?? []).map((t) => {
    try {
      return parseThreshold(t);
    } catch (err) {
      throw new UsageError(`options.thresholds: ${(err as Error).message}`);
    }
  });
}

/** A threshold judged on the per-endpoint history (`summary.endpointSeries`). */
const needsHistory = (t: Threshold) => t.metric.kind === 'fault_p95_ratio' && t.endpoint !== null;

function scenarioDuration(name: string, v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (err) {
    throw new UsageError(`options.${name}: ${(err as Error).message}`);
  }
}

/** `options.metrics`: names a threshold can use; a bad one is a `UsageError`. */
function scenarioMetrics(o: ScenarioOptions): string[] | undefined {
  if (o.metrics === undefined) return undefined;
  if (!Array.isArray(o.metrics)) throw new UsageError('options.metrics: must be an array of names');
  for (const name of o.metrics) {
    try {
      checkMetricName(name, 'options.metrics');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return o.metrics;
}

/** `options.recovery`: each given number must be > 0 (a `UsageError` naming it otherwise). */
function checkRecovery(o: ScenarioOptions): void {
  for (const [key, value] of Object.entries(o.recovery ?? {})) {
    if (!['baselineS', 'p95Factor', 'holdS', 'p95WindowS', 'p95MinAnswers'].includes(key)) {
      throw new UsageError(
        `options.recovery.${key}: unknown; use baselineS, p95Factor, holdS, p95WindowS or p95MinAnswers`,
      );
    }
    if (typeof value !== 'number' || !(value > 0)) {
      throw new UsageError(`options.recovery.${key}: must be a number > 0, got ${JSON.stringify(value)}`);
    }
  }
}

/** A run as the flags and the scenario's `options` ask for it (flags win). */
export interface RunSettings {
  options: RunOptions;
  /** The scenario's thresholds, then `--threshold`'s. */
  thresholds: Threshold[];
}

/**
 * Builds the run from the parsed flags and the loaded scenario: the same in the command and in each
 * `--processes` worker, so a worker runs exactly the segment its parent planned. A bad `options` value in the
 * scenario is a `UsageError` naming it.
 *
 * @example
 * const { options, thresholds } = runSettings(parseRunArgs(argv), await loadScenario(file, []));
 */
export function runSettings(args: RunArgs, scenario: LoadedScenario): RunSettings {
  const o = scenario.options;
  checkRecovery(o);
  const thresholds = [...scenarioThresholds(o), ...args.thresholds];
  const options: RunOptions = {
    classes: scenario.classes,
    host: args.host ?? o.host,
    users: args.users ?? o.users,
    spawnRate: args.spawnRate ?? o.spawnRate,
    rate: args.rateStages ? undefined : (args.rate ?? o.rate),
    maxUsers: args.maxUsers ?? o.maxUsers,
    maxDelayS: args.maxDelayS,
    runTimeS: args.runTimeS ?? scenarioDuration('runTime', o.runTime),
    stopTimeoutS: args.stopTimeoutS ?? scenarioDuration('stopTimeout', o.stopTimeout),
    // `--rate` stages are a shape of their own; `-u` or a constant `--rate` leave the scenario's shape out.
    shape: args.rateStages
      ? rateStages(args.rateStages)
      : args.users !== undefined || args.rate !== undefined
        ? undefined
        : scenario.shape,
    tags: args.tags,
    excludeTags: args.excludeTags,
    instanceHeader: (args.instanceHeader ?? o.instanceHeader)?.toLowerCase(),
    timeoutMs: args.timeoutMs,
    honorRetryAfter: args.honorRetryAfter,
    segment: args.segment,
    startAt: args.startAt,
    localAddress: args.sourceAddress,
    runId: args.runId,
    resetStatsAfterSpawn: args.resetStats,
    // The per-endpoint history: asked for, or needed by a threshold (fault_p95_ratio of one row).
    endpointHistory: args.csvFullHistory || thresholds.some(needsHistory),
    abortOn: args.abortOn && abortOn(args.abortOn),
    metrics: scenarioMetrics(o),
    warmUp: args.warmUp,
  };
  return { options, thresholds };
}
