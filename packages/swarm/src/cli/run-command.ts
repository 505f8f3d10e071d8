import { readFileSync } from 'node:fs';
import {
  type MetricsServer,
  type MetricsSource,
  resolveServerQueries,
  startMetricsServer,
} from '../prometheus';
import { annotateContext } from '../runner/lifecycle';
import { runSwarm } from '../runner/run';
import { planRun } from '../runner/run-plan';
import { describeStart, startAtProblem } from '../runner/start-at';
import { causeOfAbort } from '../runner/stop';
import { runWorkers } from '../runner/workers';
import { AnnotationLog, mergeAnnotations } from '../stats/annotations';
import type { Summary, ThresholdResult } from '../stats/summary-types';
import { isCustomThreshold } from '../thresholds/evaluate';
import type { Threshold } from '../thresholds/parse';
import { type AnnotationTail, tailAnnotationFiles } from './annotation-file';
import { loadBaseline } from './baseline';
import { finishRun } from './finish-run';
import { checkReachable } from './host-check';
import { progressPrinter, warmUpPrinter } from './progress';
import { parseRunArgs } from './run-args';
import { defaultRunId } from './run-id';
import { runSettings } from './run-settings';
import { loadScenario } from './scenario';
import { stopOnSignals } from './signals';
import { checkSourceAddress } from './source-address';
import { EXIT, SetupError, UsageError } from './usage-error';
import { webMode } from './web-mode';

/** The run's own arguments without `--processes` (each worker runs one segment instead). */
export function workerArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--processes') i++;
    else if (!a.startsWith('--processes=')) out.push(a);
  }
  return out;
}

/** A lost worker fails the run: a check beside the thresholds, so the console, JUnit and HTML all say so. */
function lostChecks(lost: ReadonlyArray<{ segment: string; reason: string }>): ThresholdResult[] {
  return lost.map((l) => ({ expression: `segment ${l.segment} lost: ${l.reason}`, actual: null, ok: false }));
}

/**
 * `swarm run FILE [UserClass ...] [flags]`: loads the scenario, checks that the run can start (classes, host,
 * tags, reachability), runs `setup()`, runs (in this process, in `--processes` workers or as one `--segment`),
 * then `finishRun`: thresholds, teardown, baseline, console and file reports — also after Ctrl-C or SIGTERM.
 * Resolves with the exit code.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv, process.env);
  checkStartAt(args.startAt);
  if (args.sourceAddress !== undefined) await checkSourceAddress(args.sourceAddress);
  const baseline = loadBaseline(args);
  const scenario = await loadScenario(args.file, args.userClasses);
  if (args.list) {
    for (const c of scenario.classes) {
      const share = c.fixedCount > 0 ? `fixedCount ${c.fixedCount}` : `weight ${c.weight}`;
      process.stdout.write(`${c.name}  (${share})\n`);
    }
    return EXIT.ok;
  }
  const { options, thresholds } = runSettings(args, scenario);
  if (args.prometheus !== undefined) {
    try {
      resolveServerQueries(scenario.classes, scenario.options.serverQueries, args.serverQueries);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  // Without --headless the web UI starts runs (and checks the host it is given); nothing runs from the flags.
  if (!args.headless) return webMode(args, scenario, options, thresholds, baseline);
  const plan = planRun(options);
  const host = options.host;
  if (args.checkHost) {
    const hosts = new Set(host ? [host] : plan.kinds.classes.map((c) => c.host).filter((h) => h));
    for (const h of hosts) {
      const reason = await checkReachable(h, 3000, args.sourceAddress);
      if (reason !== null) {
        throw new UsageError(
          `cannot reach the host ${h} (${reason}): is the target running? (--no-check skips this)`,
        );
      }
    }
  }
  const runId =
    args.runId ??
    defaultRunId({
      options,
      scenarioText: readFileSync(args.file, 'utf8'),
      now: new Date(),
      random: Math.random,
    });

  warnUndeclaredMetrics(thresholds, scenario.options.metrics);
  // The run's marks besides the users' own: the --annotations files (followed from now: a mark made during setup
  // counts), setup()'s and teardown()'s. A single process's users write here too; workers' come in their summaries.
  // Ids apart from those of this run's other processes or segments: merges tell annotations apart by id.
  const annotations = new AnnotationLog(
    args.segment ? `s${args.segment.index + 1}-` : args.processes > 1 ? 'p' : 'a',
  );
  const tail: AnnotationTail | null = tailAnnotationFiles(args.annotations, annotations);
  const withMarks = (s: Summary): Summary => ({
    ...s,
    annotations: mergeAnnotations([s.annotations, annotations.list()]),
  });

  // setup() runs once, here; workers get its result from their parent and never run it again.
  let setupData: unknown;
  if (scenario.setup) {
    try {
      setupData = await scenario.setup({ host, ...annotateContext(annotations, 'setup') });
    } catch (err) {
      tail?.stop();
      throw new SetupError(err instanceof Error ? err.message : String(err));
    }
  }
  // A start that setup() made late is refused like one given late: the segments would not start together.
  try {
    checkStartAt(args.startAt);
  } catch (err) {
    tail?.stop();
    throw err;
  }

  // The generator's own /metrics: the live summary of this process, or the merged one of the workers (as they
  // report, every 2 s), then the final one until the reports are written.
  let live: () => Summary | null = () => null;
  let users: () => number | null = () => null;
  let byClass: () => Record<string, number> | null = () => null;
  const metrics = await serveMetrics(args, {
    summary: () => live(),
    users: () => users(),
    usersByClass: () => byClass(),
  });
  const controller = new AbortController();
  const release = stopOnSignals(controller, 'writing reports');
  const startAt = args.startAt;
  let stoppedBeforeStart = false;
  if (startAt !== undefined) {
    process.stderr.write(`swarm: ${describeStart(startAt, Date.now())}\n`);
    controller.signal.addEventListener('abort', () => {
      stoppedBeforeStart = Date.now() < startAt;
    });
  }
  try {
    let summary: Summary;
    let checks: ThresholdResult[] = [];
    if (args.processes > 1) {
      const print = progressPrinter(args);
      let merged: Summary | null = null;
      live = () => merged;
      const result = await runWorkers({
        argv: workerArgv(argv),
        count: args.processes,
        runId,
        setupData,
        signal: controller.signal,
        config: plan.config,
        onProgress: (s) => {
          merged = withMarks(s);
          print?.(s);
        },
      });
      for (const l of result.lost) process.stderr.write(`swarm: segment ${l.segment} lost: ${l.reason}\n`);
      summary = result.summary;
      checks = lostChecks(result.lost);
    } else {
      summary = await runSwarm({
        ...options,
        runId,
        setupData,
        annotations,
        signal: controller.signal,
        onProgress: progressPrinter(args),
        onWarmUp: warmUpPrinter(args),
        onControl: (control) => {
          live = () => control.snapshot();
          users = () => control.userCount;
          byClass = () => control.usersByClass?.() ?? null;
        },
      });
    }
    if (stoppedBeforeStart) return stoppedBeforeStartCode(controller.signal);
    // The file's last lines (written as the run ended) count too.
    tail?.stop();
    summary = withMarks(summary);
    const final = summary;
    live = () => final;
    users = () => null;
    byClass = () => null;
    const finished = await finishRun(summary, {
      args,
      scenario,
      thresholds,
      host,
      setupData,
      baseline,
      checks,
      annotations,
    });
    return finished.exitCode;
  } finally {
    tail?.stop();
    release();
    await metrics?.close();
  }
}

/** `--start-at` more than the grace in the past (or a day ahead): a `UsageError` naming the flag. */
function checkStartAt(startAt: number | undefined): void {
  if (startAt === undefined) return;
  const problem = startAtProblem(startAt, Date.now());
  if (problem !== null) throw new UsageError(`--start-at: ${problem}`);
}

/**
 * Ctrl-C or SIGTERM during the wait for `--start-at`: no user started and no load was sent, so there is no run to
 * report (teardown() is not called either); the code is the shell's for the signal, 130 or 143, so a Job or a
 * script sees that this segment did not run.
 */
function stoppedBeforeStartCode(signal: AbortSignal): number {
  const cause = causeOfAbort(signal);
  process.stderr.write(`swarm: ${cause.detail} before the start: no load sent, no reports written\n`);
  return cause.detail === 'SIGINT' ? 130 : 143;
}

/**
 * A threshold on a name that is no built-in metric and not in `options.metrics` fails at the end unless a user or
 * the teardown counts it: said at the start, where a typo is cheap to fix.
 */
function warnUndeclaredMetrics(
  thresholds: readonly Threshold[],
  declared: readonly string[] | undefined,
): void {
  for (const t of thresholds) {
    if (!isCustomThreshold(t) || t.metric.kind !== 'custom') continue;
    if (declared?.includes(t.metric.name)) continue;
    process.stderr.write(
      `swarm: threshold ${t.expression}: ${t.metric.name} is no built-in metric nor in options.metrics; it fails ` +
        '("no metric named") unless a user (environment.metrics.add) or the teardown counts it\n',
    );
  }
}

/** `--metrics-port`: serves the generator's metrics while the run goes; a port taken is a usage error. */
async function serveMetrics(
  args: { metricsPort?: number | undefined; metricsHost: string },
  source: MetricsSource,
): Promise<MetricsServer | null> {
  if (args.metricsPort === undefined) return null;
  try {
    const server = await startMetricsServer(source, { host: args.metricsHost, port: args.metricsPort });
    process.stderr.write(`swarm: metrics on ${server.url}\n`);
    return server;
  } catch (err) {
    throw new UsageError(
      `--metrics-port: cannot serve metrics on ${args.metricsHost}:${args.metricsPort}: ${(err as Error).message}`,
    );
  }
}
