import { parseArgs } from 'node:util';
import { renderConsole } from '../report/console-report';
import { mergeSummaries } from '../stats/summary';
import type { Summary } from '../stats/summary-types';
import { evaluateThresholds } from '../thresholds/evaluate';
import { parseThreshold } from '../thresholds/parse';
import { readSummary } from './read-summary';
import { EXIT, UsageError } from './usage-error';
import { writeReports } from './write-reports';

export const MERGE_USAGE = `usage: swarm merge PART.json ... [--json FILE] [--csv PREFIX] [--junit FILE] [--html FILE] [--threshold EXPR ...]

Merges the --json summaries of segments (swarm run --segment i/n) into the reports of the whole run:
histograms merged, counts added, thresholds evaluated on the merged result.`;

/**
 * `swarm merge PART.json ...`: reads segment summaries, merges them exactly, prints the report, writes the file
 * reports and evaluates the thresholds. Resolves with the exit code.
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
  const parts: Summary[] = files.map((file) => readSummary(file));
  const summary = mergeSummaries(parts);
  summary.thresholds = evaluateThresholds(summary, thresholds);
  process.stdout.write(renderConsole(summary));
  for (const path of writeReports(summary, v)) process.stderr.write(`swarm: wrote ${path}\n`);
  return summary.thresholds.every((t) => t.ok) ? EXIT.ok : EXIT.thresholdFailed;
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
    },
  });
}
