import { renderConsole, renderProgress, renderStatsTable } from '../report/console-report';
import { parseDuration } from '../runner/duration';
import { withTeardown } from '../runner/lifecycle';
import { runSwarm } from '../runner/run';
import type { RunOptions } from '../runner/run-options';
import type { Summary } from '../stats/summary-types';
import { evaluateThresholds } from '../thresholds/evaluate';
import { parseThreshold, type Threshold } from '../thresholds/parse';
import { compareWithBaseline, loadBaseline, runExitCode } from './baseline';
import { checkReachable } from './host-check';
import { parseRunArgs, type RunArgs } from './run-args';
import { loadScenario, type ScenarioOptions } from './scenario';
import { EXIT, SetupError, UsageError } from './usage-error';
import { webMode } from './web-mode';
import { runWorkers, type WorkerMessage } from './workers';
import { writeReports } from './write-reports';

function scenarioThresholds(o: ScenarioOptions): Threshold[] {
  return (o.thresholds ?? []).map((t) => {
    try {
      return parseThreshold(t);
    } catch (err) {
      throw new UsageError(`options.thresholds: ${(err as Error).message}`);
    }
  });
}

function scenarioDuration(name: string, v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (err) {
    throw new UsageError(`options.${name}: ${(err as Error).message}`);
  }
}

function progressPrinter(args: RunArgs): RunOptions['onProgress'] {
  if (args.loglevel === 'warning' || args.loglevel === 'error') return undefined;
  // A terminal gets the live table; a log file or CI gets one plain progress line every 2 s (on stderr either
  // way, so stdout holds only the final report).
  const tty = process.stderr.isTTY === true;
  return (s: Summary) => {
    const users = s.timeSeries.at(-1)?.users ?? 0;
    process.stderr.write(
      tty
        ? `\n${renderStatsTable(s, { live: true })}\n${renderProgress(s, users)}\n`
        : `${renderProgress(s, users)}\n`,
    );
  };
}

/** Sends a summary to the parent of a `--processes` run and waits until it is on its way. */
function sendToParent(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('--worker needs an IPC channel (it is internal to --processes)'));
      return;
    }
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/**
 * `swarm run FILE [UserClass ...] [flags]`: loads the scenario, checks the host, runs (in this process, in
 * `--processes` workers or as one `--segment`), evaluates thresholds, prints the final report to stdout and
 * writes the file reports — also after Ctrl-C. Resolves with the exit code.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  const baseline = loadBaseline(args);
  const scenario = await loadScenario(args.file, args.userClasses);
  const o = scenario.options;
  const thresholds = [...scenarioThresholds(o), ...args.thresholds];
  const host = args.host ?? o.host;
  const options: RunOptions = {
    classes: scenario.classes,
    host,
    users: args.users ?? o.users,
    spawnRate: args.spawnRate ?? o.spawnRate,
    rate: args.rate ?? o.rate,
    maxUsers: args.maxUsers ?? o.maxUsers,
    maxDelayS: args.maxDelayS,
    runTimeS: args.runTimeS ?? scenarioDuration('runTime', o.runTime),
    stopTimeoutS: args.stopTimeoutS ?? scenarioDuration('stopTimeout', o.stopTimeout),
    shape: args.users !== undefined || args.rate !== undefined ? undefined : scenario.shape,
    tags: args.tags,
    excludeTags: args.excludeTags,
    instanceHeader: (args.instanceHeader ?? o.instanceHeader)?.toLowerCase(),
    timeoutMs: args.timeoutMs,
    segment: args.segment,
  };
  // Without --headless the web UI starts runs (and checks the host it is given); nothing runs from the flags.
  if (!args.headless) return webMode(args, scenario, options, thresholds, baseline);
  if (args.checkHost && !args.worker) {
    const hosts = new Set(host ? [host] : scenario.classes.map((c) => c.host).filter((h) => h));
    for (const h of hosts) {
      const reason = await checkReachable(h);
      if (reason !== null) {
        throw new UsageError(
          `cannot reach the host ${h} (${reason}): is the target running? (--no-check skips this)`,
        );
      }
    }
  }

  // setup() runs once, here; workers get its result through the environment, never run it again.
  let setupData: unknown;
  if (args.worker) {
    const passed = process.env.SWARM_SETUP_DATA;
    setupData = passed === undefined ? undefined : JSON.parse(passed);
  } else if (scenario.setup) {
    try {
      setupData = await scenario.setup({ host });
    } catch (err) {
      throw new SetupError(err instanceof Error ? err.message : String(err));
    }
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    // A worker hears Ctrl-C twice (from the terminal and forwarded by its parent): it must still send its summary.
    if (interrupts > 1 && !args.worker) process.exit(130);
    if (!args.worker)
      process.stderr.write('\nswarm: stopping (Ctrl-C again to quit at once); writing reports\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    let summary: Summary;
    if (args.processes > 1) {
      summary = await runWorkers(argv, args.processes, controller.signal, progressPrinter(args), setupData);
    } else {
      summary = await runSwarm({
        ...options,
        setupData,
        signal: controller.signal,
        onProgress: args.worker
          ? (live) => void sendToParent({ kind: 'progress', summary: live }).catch(() => {})
          : progressPrinter(args),
      });
    }
    if (args.worker) {
      await sendToParent({ kind: 'final', summary });
      return EXIT.ok;
    }
    summary.thresholds = evaluateThresholds(summary, thresholds);
    if (scenario.teardown) {
      try {
        summary = withTeardown(summary, await scenario.teardown({ host, data: setupData, summary }));
      } catch (err) {
        // The run happened: its reports are still written, with the failed teardown as a failed check.
        const message = err instanceof Error ? err.message : String(err);
        process.stderr.write(`swarm: teardown failed: ${message}\n`);
        summary = withTeardown(summary, {
          checks: [{ expression: `teardown: ${message}`, actual: null, ok: false }],
        });
      }
    }
    const compared = compareWithBaseline(summary, baseline, args);
    process.stdout.write(renderConsole(summary, { baseline: compared }));
    for (const path of writeReports(summary, args, compared)) process.stderr.write(`swarm: wrote ${path}\n`);
    return runExitCode(summary, compared, args);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
