import { parseArgs } from 'node:util';
import { renderConsole } from '../report/console-report';
import { withRecovery } from '../stats/recovery';
import { withMissing } from '../stats/run-facts';
import { mergeSummaries } from '../stats/summary';
import { evaluateThresholds } from '../thresholds/evaluate';
import { parseThreshold } from '../thresholds/parse';
import { verdictOf } from './exit-code';
import { readSummary } from './read-summary';
import { checkSegments, type Part } from './segment-set';
import { UsageError } from './usage-error';
import { writeReports } from './write-reports';

export const MERGE_USAGE = `usage: swarm merge PART.json ... [--json FILE] [--csv PREFIX] [--junit FILE] [--html FILE] [--threshold EXPR ...]

Merges the --json summaries of segments (swarm run --segment i/n) into the reports of the whole run:
histograms merged, counts and custom metrics added, annotations and server series kept (once each), recovery
per fault window measured again and thresholds evaluated on the merged result. The files must be the segments of
one run (the same run id), each once, all of them:

      --allow-partial      merge though segments are missing or cut short (those are left out); the result is
                           marked partial in every report
      --exit-code-on-error N  exit N when a request failed or a task raised and the thresholds held (default 1)

exit code: 0 thresholds hold and nothing failed, 1 a threshold failed, or N of --exit-code-on-error,
2 usage error, a file that is missing or not a summary, a segment given twice or missing, a segment cut short
(stopped by a signal or its caller, a lost worker: its pod or process did not finish), or files of different runs`;

/**
 * `swarm merge PART.json ...`: reads segment summaries, checks that they are the segments of one run (each once,
 * all of them, unless `--allow-partial`), merges them exactly, prints the report, writes the file reports and
 * evaluates the thresholds. Resolves with the exit code.
 */
export async function mergeCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${MERGE_USAGE}`);
  }
  const { values: v, positionals: files } = parsed;
  if (files.length === 0)
    throw new UsageError(`swarm merge needs at least one summary file\n\n${MERGE_USAGE}`);
  const thresholds = (v.threshold ?? []).map((t) => {
    try {
      return parseThreshold(t);
    } catch (err) {
      throw new UsageError(`--threshold: ${(err as Error).message}`);
    }
  });
  const exitCodeOnError = Number(v['exit-code-on-error'] ?? 1);
  if (!Number.isInteger(exitCodeOnError) || exitCodeOnError < 0 || exitCodeOnError > 255) {
    throw new UsageError(`--exit-code-on-error: "${v['exit-code-on-error']}" is not an exit code (0-255)`);
  }
  const parts = readParts(files);
  const problems = checkSegments(parts);
  const refusals = [...problems.mixed, ...problems.duplicates];
  const partial = v['allow-partial'] === true;
  for (const a of problems.aborted) {
    if (!partial) {
      refusals.push(
        `segment ${a.segment} (${a.file}) did not run its course: ${a.reason}; run it again, or ` +
          '--allow-partial merges the others, marked partial',
      );
    }
  }
  if (problems.missing.length > 0 && !partial) {
    const have = parts.map((p) => `${p.file} is ${p.summary.config.segment ?? 'the whole run'}`).join(', ');
    refusals.push(
      `segment${problems.missing.length === 1 ? '' : 's'} ${problems.missing.map((m) => m.segment).join(', ')} ` +
        `missing (${have}); --allow-partial merges what there is, marked partial`,
    );
  }
  if (refusals.length > 0) throw new UsageError(`swarm merge: ${refusals.join('; ')}`);
  // Recovery is measured again on the merged series: one segment's failures say little of the whole run's.
  // With --allow-partial a part cut short is left out whole, like a missing one: its numbers in no other number.
  const kept = parts.filter((p) => !problems.aborted.some((a) => a.file === p.file));
  const left = problems.aborted.map(({ file: _, ...m }) => m);
  if (kept.length === 0) throw new UsageError('swarm merge: nothing to merge: every part was cut short');
  let summary = withRecovery(
    withMissing(mergeSummaries(kept.map((p) => p.summary)), [...problems.missing, ...left]),
  );
  summary = { ...summary, thresholds: evaluateThresholds(summary, thresholds) };
  process.stdout.write(renderConsole(summary));
  for (const path of writeReports(summary, v)) process.stderr.write(`swarm: wrote ${path}\n`);
  const verdict = verdictOf(summary, undefined, { failOnRegression: false, exitCodeOnError });
  if (verdict.reason !== null) process.stderr.write(`swarm: exit ${verdict.code}: ${verdict.reason}\n`);
  return verdict.code;
}

/**
 * Reads every file, naming all those that cannot be read at once (a pod that failed before writing its summary
 * leaves its file absent): a `UsageError`, exit 2.
 */
function readParts(files: readonly string[]): Part[] {
  const parts: Part[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    try {
      parts.push({ file, summary: readSummary(file) });
    } catch (err) {
      unreadable.push((err as Error).message);
    }
  }
  if (unreadable.length > 0) {
    throw new UsageError(
      `swarm merge: ${unreadable.join('; ')} (a segment whose process or pod failed writes no summary: ` +
        'run it again, or leave the file out and merge with --allow-partial)',
    );
  }
  return parts;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'string' },
      csv: { type: 'string' },
      junit: { type: 'string' },
      html: { type: 'string' },
      threshold: { type: 'string', multiple: true },
      'allow-partial': { type: 'boolean' },
      'exit-code-on-error': { type: 'string' },
    },
  });
}
