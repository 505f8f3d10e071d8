import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertSummary, mergeSummaries } from '../stats/summary';
import type { Summary } from '../stats/summary-types';

const BIN = fileURLToPath(new URL('../../bin/swarm.js', import.meta.url));

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

/**
 * `--processes N`: runs segment i/N of the same run in N worker processes (this command with `--segment` and
 * `--worker`), collects their summaries over IPC and merges them exactly. Aborting `signal` (Ctrl-C) stops every
 * worker; each still sends its summary.
 */
/** What a worker sends its parent: live summaries every 2 s, then the final one. */
export interface WorkerMessage {
  kind: 'progress' | 'final';
  summary: Summary;
}

export async function runWorkers(
  argv: readonly string[],
  n: number,
  signal: AbortSignal,
  onProgress?: (merged: Summary) => void,
  setupData?: unknown,
): Promise<Summary> {
  const live: Array<Summary | null> = Array.from({ length: n }, () => null);
  const base = workerArgv(argv);
  const children: ChildProcess[] = [];
  const results = Array.from({ length: n }, (_, i) => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', ...base, '--segment', `${i + 1}/${n}`, '--worker', '--no-check'],
      // The workers' own stdout is not the report; errors still reach the terminal.
      {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        // The parent ran setup() once; each worker gets its result instead of running it again.
        env:
          setupData === undefined
            ? process.env
            : { ...process.env, SWARM_SETUP_DATA: JSON.stringify(setupData) },
      },
    );
    children.push(child);
    return new Promise<Summary>((resolve, reject) => {
      let summary: Summary | null = null;
      child.on('message', (message: WorkerMessage) => {
        assertSummary(message.summary, `worker ${i + 1}/${n}`);
        if (message.kind === 'final') {
          summary = message.summary;
          return;
        }
        live[i] = message.summary;
        const parts = live.filter((p): p is Summary => p !== null);
        if (onProgress && parts.length === n) onProgress(mergeSummaries(parts));
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (summary !== null) resolve(summary);
        else reject(new Error(`worker ${i + 1}/${n} exited with code ${code} before sending its summary`));
      });
    });
  });
  const forward = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGINT');
  };
  signal.addEventListener('abort', forward, { once: true });
  try {
    return mergeSummaries(await Promise.all(results));
  } finally {
    signal.removeEventListener('abort', forward);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}
