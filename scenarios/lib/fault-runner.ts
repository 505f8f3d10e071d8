/**
 * Applies a mode's fault schedule to the stack while a run goes (the I/O edge of fault-schedule.ts): each step
 * through the stack runner's `fault` command at its instant, each one recorded as an annotation line that Swarm
 * tails (`swarm run --annotations FILE`), each one logged to stderr. Stopped early (Ctrl-C, TERM, the run ended),
 * it applies nothing more; `restoreParts` then brings every part the schedule touched back, so the stack is never
 * left broken.
 *
 * The stack runner is reached through a `StackCommand`, by default `tsx scripts/stack/cli.ts fault …` in its own
 * process group (a Ctrl-C at the terminal reaches the run, never a start or thaw under way).
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { degradeFlags, type Fault, type FaultAction, type FaultStep, firstActions } from './fault-schedule';

/** The outcome of one `fault` command. */
export interface StackResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/stack/cli.ts fault ARGS` and resolves with its outcome. */
export type StackCommand = (args: string[]) => Promise<StackResult>;

/** What the stack runner prints for an applied fault with `--json`. */
export interface AppliedFault {
  do: string;
  part: string;
  pid?: number;
  /** Epoch ms when the action was taken. */
  at: number;
  /** Epoch ms when it was done (a start: the part is ready). */
  end: number;
}

/** One line of the annotations file (Swarm's format; a later line with the same id updates the earlier). */
export interface AnnotationLine {
  id: string;
  at: number;
  end?: number;
  label: string;
  kind: 'fault';
  source: 'mode-runner';
  /** Swarm measures this window's recovery from its start (a kill). */
  recoverFrom?: 'start';
}

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'scripts', 'stack', 'cli.ts');
/** The longest a fault command may take: a start waits for its part to be ready (Postgres, a replica). */
const COMMAND_TIMEOUT_MS = 120_000;
/** The most a step is started ahead of its instant. */
const MAX_LEAD_MS = 10_000;

/**
 * The stack runner's `fault` command as a child process with a deadline, detached into its own process group so
 * that a Ctrl-C meant for the run does not cut a start or a thaw short. The environment (STACK_DIR, ports) is this
 * process's, so it acts on the stack load_test.sh drives.
 */
export const stackFault: StackCommand = (args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'fault', ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      stderr += `\n(no answer within ${COMMAND_TIMEOUT_MS / 1000}s: stopped)`;
      child.kill('SIGKILL');
    }, COMMAND_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 2, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });

/** A fault that could not be checked or applied. */
export class FaultError extends Error {
  override name = 'FaultError';
}

const firstLine = (r: StackResult) =>
  (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1) ?? `exit ${r.code}`;

/**
 * Before any load: asks the stack runner whether each part's first action applies now (`fault DO PART --check`);
 * throws a FaultError naming every one that does not. Resolves with the quickest check's duration (ms): about
 * what the stack runner takes to start before it acts, which the schedule starts each step ahead by.
 */
export async function checkFaults(
  mode: string,
  faults: readonly Fault[],
  stack: StackCommand,
): Promise<number> {
  const problems: string[] = [];
  let quickest = Number.POSITIVE_INFINITY;
  for (const f of firstActions(faults)) {
    const started = Date.now();
    const r = await stack([f.do, f.part, ...degradeFlags(f.degrade), '--check']);
    quickest = Math.min(quickest, Date.now() - started);
    if (r.code !== 0) problems.push(`faults[${f.index}] (${f.do} ${f.part}): ${firstLine(r)}`);
  }
  // The first command also warms the stack runner's compile cache; one more says what a warm start costs.
  const first = firstActions(faults)[0];
  if (first && problems.length === 0) {
    const started = Date.now();
    await stack([first.do, first.part, ...degradeFlags(first.degrade), '--check']);
    quickest = Math.min(quickest, Date.now() - started);
  }
  if (problems.length > 0)
    throw new FaultError(
      `mode "${mode}": cannot apply its faults on this stack:\n  ${problems.join('\n  ')}`,
    );
  return Number.isFinite(quickest) ? quickest : 0;
}

/** Applies one action (with a degrade's flags); resolves with the stack runner's record of it. */
export async function applyFault(
  stack: StackCommand,
  action: FaultAction,
  part: string,
  flags: readonly string[] = [],
): Promise<AppliedFault> {
  const before = Date.now();
  const r = await stack([action, part, ...flags, '--json']);
  if (r.code !== 0) throw new FaultError(`${action} ${part} failed: ${firstLine(r)}`);
  const line = r.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  try {
    const parsed = JSON.parse(line ?? '') as Partial<AppliedFault>;
    const at = typeof parsed.at === 'number' ? parsed.at : before;
    return { ...parsed, do: action, part, at, end: typeof parsed.end === 'number' ? parsed.end : at };
  } catch {
    // Applied (exit 0) but not described: the times this process saw stand in.
    return { do: action, part, at: before, end: Date.now() };
  }
}

/** Waits `ms`, or less when `signal` aborts; resolves false when aborted. */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve(!signal.aborted);
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface ScheduleRun {
  mode: string;
  steps: readonly FaultStep[];
  /** Epoch ms of the run's start, from which each step's `atS` counts. */
  startMs: number;
  /**
   * How long before its instant each step's command is started (the stack runner's own start-up, a few seconds
   * under tsx on a busy machine), so that the fault lands on time; the annotation takes the time it really acted.
   */
  leadMs?: number;
  annotations: string;
  stack: StackCommand;
  /** Stops the schedule: nothing more is applied. */
  signal: AbortSignal;
  log?: (line: string) => void;
}

/** What a schedule did: the steps applied (with their records) and the first one that failed, if any. */
export interface ScheduleOutcome {
  applied: Array<{ step: FaultStep; record: AppliedFault }>;
  error?: string;
}

/**
 * Applies each step at `startMs + atS`, appends its annotation (a window's opening line, then the same id with its
 * `end` when the part is back) and logs it. A step that fails ends the schedule (the rest would act on a stack in
 * a state the schedule did not plan for); the caller restores the parts.
 */
export async function runSchedule(run: ScheduleRun): Promise<ScheduleOutcome> {
  const log = run.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const opened = new Map<string, number>();
  const outcome: ScheduleOutcome = { applied: [] };
  // A window lasts its `for` from when its fault really landed (a graceful stop may take seconds), not from its
  // planned instant: the planned instant of each applied fault and when the stack runner says it acted.
  const landed = new Map<number, { plannedS: number; at: number }>();
  const lead = Math.min(run.leadMs ?? 0, MAX_LEAD_MS);
  for (const step of run.steps) {
    const fault = step.undo ? landed.get(step.index) : undefined;
    const due = fault
      ? fault.at + (step.atS - fault.plannedS) * 1000 - lead
      : run.startMs + step.atS * 1000 - lead;
    if (!(await wait(due - Date.now(), run.signal))) break;
    let record: AppliedFault;
    try {
      record = await applyFault(run.stack, step.do, step.part, degradeFlags(step.degrade));
    } catch (err) {
      outcome.error = `${run.mode}: ${(err as Error).message}`;
      log(`fault: ${outcome.error}`);
      break;
    }
    outcome.applied.push({ step, record });
    if (!step.undo) landed.set(step.index, { plannedS: step.atS, at: record.at });
    const { id, label, edge, recoverFrom } = step.annotation;
    const line: AnnotationLine =
      edge === 'open'
        ? {
            id,
            at: record.at,
            label,
            kind: 'fault',
            source: 'mode-runner',
            ...(recoverFrom && { recoverFrom }),
          }
        : edge === 'close'
          ? {
              id,
              at: opened.get(id) ?? record.at,
              end: record.end,
              label,
              kind: 'fault',
              source: 'mode-runner',
            }
          : {
              id,
              at: record.at,
              ...(record.end > record.at && { end: record.end }),
              label,
              kind: step.annotation.kind ?? 'fault',
              source: 'mode-runner',
            };
    if (edge === 'open') opened.set(id, record.at);
    appendFileSync(run.annotations, `${JSON.stringify(line)}\n`);
    const second = ((record.at - run.startMs) / 1000).toFixed(1);
    const what = edge === 'close' ? `ends "${label}"${step.undo ? ' (its window is over)' : ''}` : label;
    log(`fault: +${second}s (planned +${step.atS}s) ${step.do} ${step.part}: ${what}`);
  }
  return outcome;
}

/** The parts a schedule left frozen: those whose last applied step was a freeze. */
export function frozenAfter(applied: ScheduleOutcome['applied']): Set<string> {
  const last = new Map<string, FaultAction>();
  for (const { step } of applied) last.set(step.part, step.do);
  return new Set([...last].filter(([, action]) => action === 'freeze').map(([part]) => part));
}

/**
 * After the run, or when it is cut short: every part the schedule touched is brought back — thawed if the schedule
 * left it frozen (`frozen`; the stack runner cannot tell a frozen part from a running one), healed if it is the
 * downstream service (its start values again), started (as `make up`
 * would) if down, asking the stack runner whether a start applies (`start --check`). Resolves with what it did;
 * throws a FaultError naming the parts it could not bring back.
 */
export async function restoreParts(
  parts: readonly string[],
  stack: StackCommand,
  frozen: ReadonlySet<string> = new Set(),
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<string[]> {
  const done: string[] = [];
  const failed: string[] = [];
  const attempt = async (action: 'thaw' | 'start' | 'heal', part: string) => {
    try {
      await applyFault(stack, action, part);
      done.push(`${part} ${action === 'thaw' ? 'thawed' : action === 'heal' ? 'healed' : 'started'}`);
    } catch (err) {
      failed.push(`${part}: ${(err as Error).message}`);
    }
  };
  for (const part of parts) {
    // The downstream service is only ever degraded: heal puts back its start values (always applies).
    if (part === 'downstream') {
      await attempt('heal', part);
      continue;
    }
    if (frozen.has(part)) await attempt('thaw', part);
    if ((await stack(['start', part, '--check'])).code === 0) await attempt('start', part);
  }
  if (done.length > 0) log(`fault: brought back: ${done.join(', ')}`);
  if (failed.length > 0)
    throw new FaultError(`could not bring back ${failed.join('; ')}; run \`make up\` to restore the stack`);
  log(`fault: every part the schedule touched is up (${parts.join(', ')})`);
  return done;
}
