import { parseArgs } from 'node:util';
import { compareSummaries } from '../compare/compare';
import { renderComparison } from '../report/console-comparison';
import { COMPARE_FLAGS, COMPARE_FLAGS_USAGE, parseCompareFlags } from './compare-flags';
import { readSummary } from './read-summary';
import { EXIT, UsageError } from './usage-error';
import { writeReports } from './write-reports';

export const COMPARE_USAGE = `usage: swarm compare BASE.json NEW.json [options]

Compares two --json summaries: per endpoint (matched by method and name) and in total, p50, p95, req/s and
failure rate, with the regressions beyond the tolerance flagged.

${COMPARE_FLAGS_USAGE}
      --html FILE          write the HTML report of NEW.json with the comparison

exit code: 0 (also with regressions, unless --fail-on-regression), 1 a regression with --fail-on-regression,
2 usage error or a file that is not a summary`;

/**
 * `swarm compare BASE.json NEW.json`: prints the "Compared with baseline" table and, with `--html`, writes the
 * report of the new run with the comparison in it. Resolves with the exit code.
 */
export async function compareCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${COMPARE_USAGE}`);
  }
  const { values: v, positionals: files } = parsed;
  if (files.length !== 2) {
    throw new UsageError(`swarm compare needs two summary files, BASE.json and NEW.json\n\n${COMPARE_USAGE}`);
  }
  const flags = parseCompareFlags(v);
  const [baseFile, newFile] = files as [string, string];
  const base = readSummary(baseFile);
  const current = readSummary(newFile);
  const baseline = { name: baseFile, comparison: compareSummaries(base, current, flags.options) };
  process.stdout.write(`${renderComparison(baseline.comparison, baseFile)}\n`);
  for (const path of writeReports(current, { html: v.html }, baseline)) {
    process.stderr.write(`swarm: wrote ${path}\n`);
  }
  return flags.failOnRegression && baseline.comparison.regressionCount > 0 ? EXIT.thresholdFailed : EXIT.ok;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...COMPARE_FLAGS, html: { type: 'string' } },
  });
}
