import { readFileSync } from 'node:fs';
import { runSwarm } from '../runner/run';
import { planRun } from '../runner/run-plan';
import { runWorkers } from '../runner/workers';
import type { Summary, ThresholdResult } from '../stats/summary-types';
import { loadBaseline } from './baseline';
import { finishRun } from './finish-run';
import { checkReachable } from './host-check';
import { progressPrinter } from './progress';
import { parseRunArgs } from './run-args';
import { defaultRunId } from './run-id';
import { runSettings } from './run-settings';
import { loadScenario } from './scenario';
import { stopOnSignals } from './signals';
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
  // Without --headless the web UI starts runs (and checks the host it is given); nothing runs from the flags.
  if (!args.headless) return webMode(args, scenario, options, thresholds, baseline);
  const plan = planRun(options);
  const host = options.host;
  if (args.checkHost) {
    const hosts = new Set(host ? [host] : plan.kinds.classes.map((c) => c.host).filter((h) => h));
    for (const h of hosts) {
      const reason = await checkReachable(h);
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

  // setup() runs once, here; workers get its result from their parent and never run it again.
  let setupData: unknown;
  if (scenario.setup) {
    try {
      setupData = await scenario.setup({ host });
    } catch (err) {
      throw new SetupError(err instanceof Error ? err.message : String(err));
    }
  }

  const controller = new AbortController();
  const release = stopOnSignals(controller, 'writing reports');
  try {
    let summary: Summary;
    let checks: ThresholdResult[] = [];
    if (args.processes > 1) {
      const result = await runWorkers({
        argv: workerArgv(argv),
        count: args.processes,
        runId,
        setupData,
        signal: controller.signal,
        config: plan.config,
        onProgress: progressPrinter(args),
      });
      for (const l of result.lost) process.stderr.write(`swarm: segment ${l.segment} lost: ${l.reason}\n`);
      summary = result.summary;
      checks = lostChecks(result.lost);
    } else {
      summary = await runSwarm({
        ...options,
        runId,
        setupData,
        signal: controller.signal,
        onProgress: progressPrinter(args),
      });
    }
    const finished = await finishRun(summary, {
      args,
      scenario,
      thresholds,
      host,
      setupData,
      baseline,
      checks,
    });
    return finished.exitCode;
  } finally {
    release();
  }
}
