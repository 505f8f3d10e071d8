/**
 * A mode with `runs` (the pool mode, the overload lab's without/with protection): the same load on stacks set up
 * differently, one after the other — for each sub-run the stack is brought down and up again with its settings
 * (`make down`, `make up REPLICAS=1 …`), the mode runs into OUT/<sub-run>/, and at the end OUT/<mode>.json,
 * OUT/<mode>.html and a console table put the sub-runs side by side (lib/pool-report.ts), with the mode's own
 * findings. Whatever happens, the stack is brought back up with the caller's own settings.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { SubRun } from './mode-plan';
import {
  type PoolRow,
  type PoolSummary,
  poolRow,
  renderPoolConsole,
  renderPoolHtml,
  subRunFindings,
} from './pool-report';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'scripts', 'stack', 'cli.ts');

/** `stack up` or `stack down` with an environment; resolves with its exit code. */
export type StackLifecycle = (command: 'up' | 'down', env: NodeJS.ProcessEnv) => Promise<number>;

/**
 * The stack runner's up or down, its output on this terminal, in its own process group (a Ctrl-C meant for a run
 * never cuts a restore short).
 */
export const stackLifecycle: StackLifecycle = (command, env) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, command], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', () => resolve(2));
    child.on('exit', (code) => resolve(code ?? 1));
  });

export interface PoolModeRun {
  mode: string;
  runs: readonly SubRun[];
  out: string;
  /** The caller's environment: the stack's own settings (STACK_DIR, ports), restored at the end. */
  env: NodeJS.ProcessEnv;
  /** Runs the mode into `dir` against a stack of `replicas` replicas; resolves with its exit code. */
  runSub: (sub: SubRun, dir: string, replicas: number) => Promise<number>;
  /** Set by Ctrl-C or TERM: no further sub-run starts. */
  interrupted: () => boolean;
  /** What the rows show, in words (the pool mode's poolFindings, say); default: each sub-run's outcome. */
  findings?: (rows: readonly PoolRow[]) => string[];
  stack?: StackLifecycle;
  log?: (line: string) => void;
}

/** Runs each sub-run on its own stack set-up, writes the comparison, restores the stack; resolves with the verdict. */
export async function runPoolMode(run: PoolModeRun): Promise<number> {
  const log = run.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stack = run.stack ?? stackLifecycle;
  const rows: PoolRow[] = [];
  let restoreNeeded = false;
  try {
    for (const sub of run.runs) {
      if (run.interrupted()) break;
      const env = { ...run.env, ...sub.stack };
      log(
        `load_test: ${run.mode}: ${sub.name}: ${sub.description}; the stack comes up with ${settings(sub)}`,
      );
      restoreNeeded = true;
      const up = (await downAndFree(stack, run.env)) ? await stack('up', env) : 1;
      const dir = join(run.out, sub.name);
      mkdirSync(dir, { recursive: true });
      const code = up === 0 ? await run.runSub(sub, dir, Number(env.REPLICAS ?? 3)) : 2;
      if (up !== 0)
        log(`load_test: ${run.mode}: ${sub.name}: the stack did not come up with ${settings(sub)}`);
      const file = join(dir, 'summary.json');
      const summary = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PoolSummary) : undefined;
      rows.push(poolRow(sub.name, sub.description, code, summary));
    }
  } finally {
    if (restoreNeeded) {
      log(`load_test: ${run.mode}: bringing the stack back up with your settings`);
      const restored = (await downAndFree(stack, run.env)) && (await stack('up', run.env)) === 0;
      if (!restored) log(`load_test: ${run.mode}: the stack did not come back: run \`make down && make up\``);
    }
  }
  const findings = (run.findings ?? subRunFindings)(rows);
  writeFileSync(join(run.out, `${run.mode}.json`), `${JSON.stringify({ rows, findings }, null, 2)}\n`);
  writeFileSync(join(run.out, `${run.mode}.html`), renderPoolHtml(rows, findings, `${run.mode}: ${run.out}`));
  process.stdout.write(
    `\n${renderPoolConsole(rows, findings)}load_test: ${run.mode}: side by side in ${join(run.out, `${run.mode}.html`)}\n`,
  );
  const worst = Math.max(0, ...rows.map((r) => r.code));
  // Cut short (Ctrl-C, TERM) with nothing failed so far: the shell's code for an interrupt, not a pass.
  return rows.length < run.runs.length && worst === 0 ? 130 : worst;
}

/** Whether nothing listens on 127.0.0.1:`port`. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * `stack down`, then until the gateway's port is free (30 s at most): nginx's workers may still hold it for a moment
 * after `down` returns, and the next `up` refuses a taken port.
 */
async function downAndFree(stack: StackLifecycle, env: NodeJS.ProcessEnv): Promise<boolean> {
  if ((await stack('down', env)) !== 0) return false;
  const port = Number(env.GATEWAY_PORT || '8080');
  const deadline = Date.now() + 30_000;
  while (!(await portFree(port))) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

const settings = (sub: SubRun) =>
  Object.entries(sub.stack)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
