import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RequestStats } from '../stats/request-stats';
import { lastReportOf, withMissing } from '../stats/run-facts';
import { assertSummary, mergeSummaries, toSummary } from '../stats/summary';
import type { MissingSegment, RunConfigSummary, StopSummary, Summary } from '../stats/summary-types';
import { runSwarm } from './run';
import type { RunOptions } from './run-options';
import { formatSegment, type Segment } from './segment';
import { causeOfAbort, stopCause } from './stop';

/**
 * The protocol between a `--processes N` run and its N workers, both sides. The parent starts each worker from
 * its own entry point (`bin/swarm-worker.js`, no command-line flag) with an IPC channel, and sends it one `start`
 * message: the run's arguments, its segment, the run id and what `setup()` returned (which only the parent runs).
 * The worker runs its segment, sends a live summary every 2 s and its final summary at the end; the parent merges
 * them exactly. A `stop` message (Ctrl-C, SIGTERM on the parent) ends every worker's run with that cause, and each
 * still sends its summary. A worker that dies is lost: the others run on, and the merged result names the lost
 * segment and the last statistics it sent.
 */

/** Parent → worker. */
export type ParentMessage =
  | { kind: 'start'; argv: string[]; segment: Segment; runId: string; setupData: unknown }
  | { kind: 'stop'; cause: StopSummary };

/** Worker → parent: live summaries every 2 s, then the final one; or why it could not run. */
export type WorkerMessage =
  | { kind: 'progress'; summary: Summary }
  | { kind: 'final'; summary: Summary }
  | { kind: 'failed'; message: string };

/** The worker entry point: a launcher that registers the TypeScript loader and runs `cli/worker-main`. */
export const WORKER_ENTRY = fileURLToPath(new URL('../../bin/swarm-worker.js', import.meta.url));

/** What the parent needs to run a `--processes` run. */
export interface WorkerPlan {
  /** The run's own arguments without `--processes`: each worker parses them as the parent did. */
  argv: readonly string[];
  count: number;
  runId: string;
  setupData: unknown;
  /** Aborting (with `stopCause`) stops every worker. */
  signal: AbortSignal;
  /** The whole run's settings, for a result whose every worker was lost. */
  config: RunConfigSummary;
  /** Called with the merged live summary of the workers still running, as they report. */
  onProgress?: (merged: Summary) => void;
}

/** A merged `--processes` run and the segments that were lost on the way. */
export interface WorkersResult {
  summary: Summary;
  lost: MissingSegment[];
}

/** How a worker ended without its summary, in words. */
function endedHow(code: number | null, signal: NodeJS.Signals | null, failure: string | null): string {
  if (failure !== null) return `failed: ${failure}`;
  return signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
}

/**
 * The engine's own young-generation size, for its workers: the `swarm` command starts the engine with one
 * (bin/engine-process.js), and a worker keeps the same number of users waiting as a whole run keeps per segment.
 */
const youngGeneration = (): string[] => process.execArgv.filter((a) => a.startsWith('--max-semi-space-size'));

/**
 * Parent side: runs segment i/N of the run in each of N worker processes and merges their final summaries
 * exactly. Resolves when every worker has ended; a lost worker is in `lost` (and in `summary.partial`), never a
 * rejection, so the rest of the run is reported.
 *
 * @example
 * const { summary, lost } = await runWorkers({ argv, count: 2, runId, setupData, signal, config });
 */
export async function runWorkers(plan: WorkerPlan): Promise<WorkersResult> {
  const { count } = plan;
  const startedAt = Date.now();
  const live: Array<Summary | null> = Array.from({ length: count }, () => null);
  const gone = new Set<number>();
  const children: ChildProcess[] = [];
  const progress = () => {
    const parts = live.filter((p, i): p is Summary => p !== null && !gone.has(i));
    if (plan.onProgress && parts.length > 0 && parts.length === count - gone.size) {
      plan.onProgress(mergeSummaries(parts));
    }
  };
  const ends = Array.from({ length: count }, (_, i) => {
    const segment: Segment = { index: i, count };
    const label = formatSegment(segment);
    const child = spawn(process.execPath, [...youngGeneration(), WORKER_ENTRY], {
      // The workers' stdout is not the report; their errors still reach the terminal.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(child);
    const start: ParentMessage = {
      kind: 'start',
      argv: [...plan.argv],
      segment,
      runId: plan.runId,
      setupData: plan.setupData,
    };
    child.send(start);
    return new Promise<Summary | MissingSegment>((resolve) => {
      let final: Summary | null = null;
      let failure: string | null = null;
      child.on('message', (message: WorkerMessage) => {
        if (message.kind === 'failed') {
          failure = message.message;
          return;
        }
        assertSummary(message.summary, `worker ${label}`);
        if (message.kind === 'final') final = message.summary;
        else {
          live[i] = message.summary;
          progress();
        }
      });
      child.on('error', (err) => {
        failure ??= err.message;
      });
      // 'close', not 'exit': by then every message the worker sent has been delivered.
      child.on('close', (code, signal) => {
        if (final !== null) {
          resolve(final);
          return;
        }
        gone.add(i);
        const afterS = Math.round((Date.now() - startedAt) / 100) / 10;
        const last = live[i] ?? null;
        resolve({
          segment: label,
          reason: `worker ${endedHow(code, signal, failure)} after ${afterS} s`,
          lastReport: last === null ? null : lastReportOf(last),
        });
        progress();
      });
    });
  });
  const stopAll = () => {
    const stop: ParentMessage = { kind: 'stop', cause: causeOfAbort(plan.signal) };
    for (const c of children) if (c.connected) c.send(stop);
  };
  plan.signal.addEventListener('abort', stopAll, { once: true });
  if (plan.signal.aborted) stopAll();
  try {
    const results = await Promise.all(ends);
    const finals = results.filter((r): r is Summary => 'schema' in r);
    const lost = results.filter((r): r is MissingSegment => !('schema' in r));
    const merged =
      finals.length > 0
        ? mergeSummaries(finals)
        : {
            ...toSummary(new RequestStats(startedAt), { nowMs: Date.now(), config: plan.config }),
            stop: stopCause('worker_lost', 'every worker was lost'),
          };
    const summary = withMissing(
      { ...merged, runId: plan.runId, config: { ...merged.config, processes: count } },
      lost,
    );
    return { summary, lost };
  } finally {
    plan.signal.removeEventListener('abort', stopAll);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

/** Turns a worker's `start` message into the options of its run (the CLI loads the scenario and reads the flags). */
export type PrepareWorker = (start: Extract<ParentMessage, { kind: 'start' }>) => Promise<RunOptions>;

/** Sends a message to the parent and resolves once it is on its way (never rejects: a gone parent is no error). */
function toParent(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) resolve();
    else process.send!(message, undefined, {}, () => resolve());
  });
}

/**
 * Worker side: refuses to run without an IPC channel from a parent (it is no command a person starts), waits
 * for the `start` message, runs its segment with the parent's run id and setup data, and sends a live summary
 * every 2 s and the final one. Stops on the parent's `stop` (with its cause), on SIGINT or SIGTERM (a terminal's
 * Ctrl-C reaches every process of the group; the parent's `stop` follows, and the summary is still sent), or when
 * the parent is gone. Resolves with the exit code.
 *
 * @example
 * process.exitCode = await serveParent(async (start) => optionsFromArgv(start.argv));
 */
export async function serveParent(prepare: PrepareWorker): Promise<number> {
  if (typeof process.send !== 'function') {
    process.stderr.write(
      'swarm-worker: this is one worker of `swarm run --processes N`, started by that command over an IPC ' +
        'channel; it is not a command. Run `swarm run FILE --processes N` (or `--segment i/n` on each machine).\n',
    );
    return 2;
  }
  const controller = new AbortController();
  const stop = (cause: StopSummary) => {
    if (!controller.signal.aborted) controller.abort(cause);
  };
  const onSignal = (name: NodeJS.Signals) => stop(stopCause('signal', name));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const start = await new Promise<Extract<ParentMessage, { kind: 'start' }> | null>((resolve) => {
    process.on('message', (message: ParentMessage) => {
      if (message.kind === 'start') resolve(message);
      else stop(message.cause);
    });
    // A parent that is gone can neither start nor read this worker: its run must not go on alone.
    process.once('disconnect', () => {
      stop(stopCause('stopped', 'the parent process is gone'));
      resolve(null);
    });
  });
  if (start === null) return 2;
  let options: RunOptions;
  try {
    options = await prepare(start);
  } catch (err) {
    await toParent({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    return 2;
  }
  const summary = await runSwarm({
    ...options,
    segment: start.segment,
    runId: start.runId,
    setupData: start.setupData,
    signal: controller.signal,
    onProgress: (live) => void toParent({ kind: 'progress', summary: live }),
  });
  await toParent({ kind: 'final', summary });
  return 0;
}
