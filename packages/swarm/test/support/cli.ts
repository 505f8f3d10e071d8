import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Summary } from '../../src/index';
import type { TestServer } from './test-server';

export const BIN = fileURLToPath(new URL('../../bin/swarm.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  /** Resolves with the exit code and everything written, once the process has exited. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Starts `swarm` as a user would (the bin launcher under the current Node, with `nodeFlags` before it if any),
 * capturing its output.
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: readonly string[] = [],
): CliRun {
  const child = spawn(process.execPath, [...nodeFlags, BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}) {
  return startCli(args, env).done;
}

/** The process ids of `pid`'s children (Linux /proc), e.g. the workers of a `--processes` run. */
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}

/**
 * A test file's scratch folder and counting server: the folder made before its tests and removed after, the server
 * (`box.server = await startTestServer()`) closed after each test.
 *
 * @example
 * const box = cliSandbox('swarm-cli-');
 * it('…', async () => { box.server = await startTestServer(); await runCli([..., '--json', box.path('a.json')]); box.read('a.json'); });
 */
export function cliSandbox(prefix: string) {
  const box = {
    dir: '',
    server: undefined as TestServer | undefined,
    /** A file in the scratch folder. */
    path: (file: string) => join(box.dir, file),
    /** A summary written to the scratch folder. */
    read: (file: string) => JSON.parse(readFileSync(join(box.dir, file), 'utf8')) as Summary,
  };
  beforeAll(() => {
    box.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(box.dir, { recursive: true, force: true }));
  afterEach(async () => {
    await box.server?.close();
    box.server = undefined;
  });
  return box;
}

/**
 * The arguments of a short headless run of `scenario` against `host`: `users` users spawned at once (4), for
 * `time` (1s), with a 5 s stop timeout so every request sent is answered and counted. Spread it first:
 * `[...headlessRun(scenario, url), '--json', path('a.json')]`.
 */
export function headlessRun(
  scenario: string,
  host: string,
  { users = 4, time = '1s' }: { users?: number; time?: string } = {},
): string[] {
  const args = ['run', '--headless', scenario, '-u', String(users), '-r', '100', '-t', time, '-H', host];
  return [...args, '--stop-timeout', '5s'];
}
