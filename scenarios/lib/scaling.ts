import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  type CapacityJson,
  renderScalingConsole,
  renderScalingHtml,
  type ScalingJson,
  type ScalingStepInput,
  scalingJson,
} from 'swarmgate-swarm';
import { stackPaths } from '../../scripts/stack/paths';
import { loadSettings } from '../../scripts/stack/settings';

/**
 * `./load_test.sh scaling`: the breakpoint mode at 1, 2, … REPLICAS_MAX replicas, the stack brought to each count
 * by the stack runner (`up` with REPLICAS=n, as `make up REPLICAS=n`), then scaling.json, scaling.html and a
 * console table from the steps' capacity.json (Swarm's `scalingJson`), and the stack put back to its count.
 */

const STACK_CLI = join(import.meta.dirname, '..', '..', 'scripts', 'stack', 'cli.ts');
export const REPLICAS_MAX_DEFAULT = 3;
/** As many replicas as the stack runner accepts; more would mean one port each beyond REPLICA_BASE_PORT anyway. */
const REPLICAS_MAX_LIMIT = 16;

/**
 * REPLICAS_MAX (empty or unset: 3) as a whole number from 1 to 16; throws an `Error` naming the setting otherwise.
 *
 * @example
 * replicasMax('2'); // 2
 */
export function replicasMax(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return REPLICAS_MAX_DEFAULT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > REPLICAS_MAX_LIMIT) {
    throw new Error(
      `REPLICAS_MAX must be a whole number from 1 to ${REPLICAS_MAX_LIMIT} (got ${JSON.stringify(value)})`,
    );
  }
  return n;
}

/**
 * The verdict of a scaling run (pure): 0 when every step wrote its capacity.json, else the worst step's exit code
 * (at least 1, and 1 when no step ran at all).
 */
export function scalingVerdict(steps: readonly ScalingStepInput[]): number {
  if (steps.length === 0) return 1;
  const failed = steps.filter((s) => s.capacity === null);
  if (failed.length === 0) return 0;
  return Math.max(1, ...failed.map((s) => s.exitCode));
}

/** A step's capacity.json, or null when it wrote none (or an unreadable one). */
export function readCapacity(file: string): CapacityJson | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CapacityJson;
  } catch {
    return null;
  }
}

/** What the stack runner recorded of the running stack (state.json under STACK_DIR), or nothing. */
function recordedStack(env: NodeJS.ProcessEnv): { kind?: string; replicas?: number } {
  try {
    const file = stackPaths(loadSettings(env).dir).state;
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { kind?: string; replicas?: number })
      : {};
  } catch {
    return {};
  }
}

/** Writes scaling.json and scaling.html under `out` and prints the table; returns the result. */
export function writeScalingReports(out: string, steps: readonly ScalingStepInput[]): ScalingJson {
  const result = scalingJson(steps, { cores: availableParallelism() });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'scaling.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(out, 'scaling.html'), renderScalingHtml(result));
  process.stdout.write(`\n${renderScalingConsole(result)}`);
  return result;
}

export interface ScalingDeps {
  /** Runs a command with inherited output (and passes a TERM on to it); resolves with its exit code. */
  run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number>;
  /** Runs the breakpoint mode into `dir` against `n` replicas; resolves with its verdict. */
  runBreakpoint(n: number, dir: string): Promise<number>;
  /** Ctrl-C or TERM arrived: stop at once. */
  interrupted(): boolean;
  /** The count to put the stack back to when none is recorded (profiles.json "replicas"). */
  defaultReplicas: number;
}

const say = (line: string) => process.stderr.write(`load_test: ${line}\n`);

/**
 * Runs the scaling mode into `out` and resolves with its verdict: each step brings the stack to n replicas and
 * waits until it is healthy (the stack runner's `up`), then runs the breakpoint mode into `out/replicas-<n>/`.
 * Ctrl-C or TERM stops at once: scaling.json is still written for the steps done, and the stack stays as it is
 * (the message says how to restore it). Otherwise the stack goes back to the count it had before.
 */
export async function runScaling(out: string, env: NodeJS.ProcessEnv, deps: ScalingDeps): Promise<number> {
  let max: number;
  try {
    max = replicasMax(env.REPLICAS_MAX);
  } catch (err) {
    say((err as Error).message);
    return 2;
  }
  const recorded = recordedStack(env);
  if (recorded.kind !== 'native') {
    say(
      recorded.kind === 'docker'
        ? 'scaling changes the replica count, which the compose stack fixes at three: run it on the native stack (make down; STACK=native make up)'
        : 'scaling changes the replica count through the stack runner, but no native stack is recorded in STACK_DIR (make up, with the same STACK_DIR)',
    );
    return 2;
  }
  const before = recorded.replicas ?? deps.defaultReplicas;
  const setReplicas = (n: number) => {
    say(`scaling: bringing the stack to ${n} replica${n === 1 ? '' : 's'}`);
    return deps.run(process.execPath, ['--import', 'tsx', STACK_CLI, 'up'], { ...env, REPLICAS: String(n) });
  };
  const steps: ScalingStepInput[] = [];
  let current = before;
  for (let n = 1; n <= max && !deps.interrupted(); n++) {
    const dir = `replicas-${n}`;
    const up = await setReplicas(n);
    current = n;
    if (up !== 0 || deps.interrupted()) {
      if (up !== 0) say(`scaling: the stack did not come up with ${n} replicas (exit ${up}); stopping here`);
      steps.push({ n, capacity: null, dir, exitCode: up === 0 ? 130 : Math.max(2, up) });
      break;
    }
    const code = await deps.runBreakpoint(n, join(out, dir));
    steps.push({ n, capacity: readCapacity(join(out, dir, 'capacity.json')), dir, exitCode: code });
    if (code === 130 || code === 143) break;
  }
  writeScalingReports(out, steps);
  process.stdout.write(`\nload_test: reports in ${out}/ (scaling.json, scaling.html, replicas-<n>/)\n`);
  if (deps.interrupted()) {
    say(`interrupted: the stack is left at ${current} replicas; \`make up REPLICAS=${before}\` restores it`);
  } else if (current !== before) {
    const restored = await setReplicas(before);
    if (restored !== 0) say(`the stack did not come back to ${before} replicas (exit ${restored}): make up`);
  }
  const verdict = scalingVerdict(steps);
  process.stdout.write(`load_test: scaling ${verdict === 0 ? 'PASS' : `FAIL (exit ${verdict})`}\n`);
  return verdict;
}
