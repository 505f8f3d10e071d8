/**
 * One run of a mode with a fault schedule (the failure lab): checks that every fault applies, starts `swarm run`
 * with `--annotations`, applies the schedule from the moment the first user runs, and whatever happens (the run's
 * end, Ctrl-C, TERM, a fault that failed) brings every part the schedule touched back before it returns the
 * verdict. The modes' criteria are Swarm thresholds; the one Swarm cannot judge — a replica back with its share of
 * the requests — is judged here from summary.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type CacheSecond, hitRatioBack, hitRatioBetween } from './cache-back';
import {
  checkFaults,
  FaultError,
  frozenAfter,
  restoreParts,
  runSchedule,
  type StackCommand,
  stackFault,
} from './fault-runner';
import { type Fault, planSteps, touchedParts } from './fault-schedule';
import { waitForRunStart } from './run-start';
import { type InstanceSecond, shareBack } from './share-back';

export interface FaultModeRun {
  mode: string;
  faults: readonly Fault[];
  /** Replicas in the rotation (for a replica's fair share). */
  replicas: number;
  /** `node SWARM_BIN ...args` runs Swarm. */
  swarmBin: string;
  /** The mode's `swarm run` arguments (mode-plan's swarmArgs). */
  args: string[];
  /** The report folder: annotations.jsonl goes there too. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** A replica the schedule starts again must serve its share within this many seconds of being ready. */
  shareBackS?: number;
  /** The reads' hit ratio must be back to >= 90% within this many seconds of Redis's last start or thaw. */
  hitRatioBackS?: number;
  stack?: StackCommand;
  log?: (line: string) => void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const flagValue = (args: readonly string[], flag: string): string | undefined => {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  return args[i] === flag ? args[i + 1] : args[i]!.slice(flag.length + 1);
};

/**
 * Runs the mode and resolves with its exit code: 0 every criterion held, 1 one failed (a threshold, or a replica
 * that did not get its share back in time), 2 a fault could not be checked, applied or undone.
 */
export async function runFaultMode(run: FaultModeRun): Promise<number> {
  const log = run.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stack = run.stack ?? stackFault;
  let leadMs: number;
  try {
    leadMs = await checkFaults(run.mode, run.faults, stack);
  } catch (err) {
    if (!(err instanceof FaultError)) throw err;
    log(`load_test: ${err.message}`);
    return 2;
  }
  const annotations = join(run.dir, 'annotations.jsonl');
  writeFileSync(annotations, '');
  // The schedule counts from the first running user, which Swarm's own /metrics says.
  const args = [...run.args];
  if (flagValue(args, '--metrics-port') === undefined) args.push('--metrics-port', String(await freePort()));
  const metricsHost = flagValue(args, '--metrics-host') ?? '127.0.0.1';
  const metricsUrl = `http://${metricsHost}:${flagValue(args, '--metrics-port')}/metrics`;
  args.push('--annotations', annotations);

  const stop = new AbortController();
  const child = spawn(process.execPath, [run.swarmBin, ...args], { stdio: 'inherit', env: run.env });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      stop.abort();
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
  // Ctrl-C reaches Swarm from the terminal (it stops and writes its reports); here it only stops the schedule.
  // A TERM sent to this process alone is passed on.
  const onInt = () => stop.abort();
  const onTerm = () => {
    stop.abort();
    child.kill('SIGTERM');
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let code: number;
  let outcome: Awaited<ReturnType<typeof runSchedule>> | undefined;
  try {
    const startMs = await waitForRunStart(metricsUrl, stop.signal);
    if (startMs !== null) {
      const plan = run.faults.map((f) => `${f.do} ${f.part} at ${f.atS}s${f.forS ? ` for ${f.forS}s` : ''}`);
      log(`fault: the run started; schedule: ${plan.join(', ')}`);
      outcome = await runSchedule({
        mode: run.mode,
        steps: planSteps(run.faults),
        startMs,
        leadMs,
        annotations,
        stack,
        signal: stop.signal,
        log,
      });
      // A fault that failed leaves the mode unjudgeable: the run stops (and still writes its reports).
      if (outcome.error) child.kill('SIGINT');
    }
    code = await exited;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  try {
    await restoreParts(touchedParts(run.faults), stack, frozenAfter(outcome?.applied ?? []), log);
  } catch (err) {
    log(`load_test: ${(err as Error).message}`);
    code = Math.max(code, 2);
  }
  if (outcome?.error) return Math.max(code, 2);
  // Judged (and printed) whatever the thresholds said; it can only turn a pass into a fail.
  if (code <= 1 && outcome)
    code = Math.max(code, judgeAfter(run, outcome.applied, join(run.dir, 'summary.json'), log));
  return code;
}

type Applied = Awaited<ReturnType<typeof runSchedule>>['applied'];

/**
 * The criteria Swarm cannot judge, from summary.json: each replica the schedule started again back with its share
 * within `shareBackS`, and the reads' hit ratio back to >= 90% within `hitRatioBackS` of Redis's last start.
 * 0 when they hold (or the mode has none), 1 otherwise; each printed as PASS or FAIL.
 */
function judgeAfter(
  run: FaultModeRun,
  applied: Applied,
  summaryFile: string,
  log: (line: string) => void,
): number {
  if ((run.shareBackS === undefined && run.hitRatioBackS === undefined) || !existsSync(summaryFile)) return 0;
  const series = (
    JSON.parse(readFileSync(summaryFile, 'utf8')) as { timeSeries: Array<InstanceSecond & CacheSecond> }
  ).timeSeries;
  let verdict = 0;
  const say = (ok: boolean, text: string) => {
    if (!ok) verdict = 1;
    log(`load_test: ${ok ? 'PASS' : 'FAIL'}  ${text}`);
  };
  const starts = applied.filter((a) => a.step.do === 'start' || a.step.do === 'thaw');
  if (run.shareBackS !== undefined) {
    for (const { step, record } of starts.filter((a) => /^app\d+$/.test(a.step.part))) {
      const r = shareBack(series, step.part, record.end, { replicas: run.replicas });
      say(
        r.seconds !== null && r.seconds <= run.shareBackS,
        `${step.part} back with its share within ${run.shareBackS}s of its start (actual ${r.seconds === null ? 'never' : `${r.seconds.toFixed(1)}s`}; ` +
          `its share each second after: ${r.shares.slice(0, 12).join(' ')})`,
      );
    }
  }
  const redis = starts.filter((a) => a.step.part === 'redis').at(-1);
  if (run.hitRatioBackS !== undefined && redis) {
    // 90%, or the level the mix held in the 10 s before the first fault when that was lower: the lab's own rows
    // are rewritten all the time, so with it in the run the steady ratio sits near 90% and a target above the
    // steady state would judge the mix, not the recovery.
    const first = applied[0]!.record.at;
    const before = hitRatioBetween(series, first - 10_000, first);
    const target = Math.min(0.9, before ?? 0.9);
    const r = hitRatioBack(series, redis.record.end, target);
    say(
      r.seconds !== null && r.seconds <= run.hitRatioBackS,
      `hit ratio back to >= ${(target * 100).toFixed(1)}% (90%, or the ${before === null ? '-' : `${(before * 100).toFixed(1)}%`} of the 10 s before the first fault if lower) ` +
        `within ${run.hitRatioBackS}s of redis's ${redis.step.do} (actual ${r.seconds === null ? 'never' : `${r.seconds.toFixed(1)}s`}; ` +
        `each second after: ${r.ratios.slice(0, 16).join(' ')})`,
    );
  }
  return verdict;
}
