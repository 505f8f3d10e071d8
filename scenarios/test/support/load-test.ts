import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type TestStack } from '../../../gateway/test/support/stack';

export interface LoadTestResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The report folder a `./load_test.sh` run named (`reports in DIR/`), absolute, or null. */
export function reportFolder(stdout: string): string | null {
  const m = /reports in (\S+)\//.exec(stdout);
  return m ? join(REPO_ROOT, m[1]!) : null;
}

/**
 * Runs `./load_test.sh ARGS` as a user does, against `stack` (its settings, its gateway as HOST; `env` over them),
 * killed after 240 s so a stuck run fails its test instead of hanging the suite. The report folder it names is
 * pushed to `made`, for the test file to remove; `onStderr` sees stderr (all of it so far) as it comes.
 *
 * @example
 * const r = await runLoadTest(stack, made, ['failover'], { RUN_TIME: '20s' });
 */
export function runLoadTest(
  stack: TestStack,
  made: string[],
  args: string[],
  env: Record<string, string>,
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<LoadTestResult> {
  return new Promise((resolve) => {
    const child = spawn('./load_test.sh', args, {
      cwd: REPO_ROOT,
      env: { ...stack.env, HOST: `http://127.0.0.1:${stack.gatewayPort}`, ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const dir = reportFolder(stdout);
      if (dir !== null) made.push(dir);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
