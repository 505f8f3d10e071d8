import { renderProgress, renderStatsTable } from '../report/console-report';
import type { RunOptions } from '../runner/run-options';
import type { Summary } from '../stats/summary-types';
import type { RunArgs } from './run-args';

/**
 * The progress on stderr: a terminal gets the live table, a log file or CI one plain line every 2 s (stdout holds
 * only the final report). None with `--only-summary` or a quiet log level.
 */
export function progressPrinter(args: RunArgs): RunOptions['onProgress'] {
  if (args.onlySummary || args.loglevel === 'warning' || args.loglevel === 'error') return undefined;
  const tty = process.stderr.isTTY === true;
  return (s: Summary) => {
    const users = s.timeSeries.at(-1)?.users ?? 0;
    process.stderr.write(
      tty
        ? `\n${renderStatsTable(s, { live: true })}\n${renderProgress(s, users)}\n`
        : `${renderProgress(s, users)}\n`,
    );
  };
}

/**
 * The line that says the engine warmed up before the clock (`--no-warm-up` skips it), where progress is printed:
 * `swarm: engine warmed up in 0.85 s (5230 requests to a server in this process, none to the host; --no-warm-up
 * skips it)`.
 */
export function warmUpPrinter(args: RunArgs): RunOptions['onWarmUp'] {
  if (args.onlySummary || args.loglevel === 'warning' || args.loglevel === 'error') return undefined;
  return (w) =>
    process.stderr.write(
      `swarm: engine warmed up in ${(w.ms / 1000).toFixed(2)} s (${w.requests} requests to a server in this ` +
        `process, none to the host; --no-warm-up skips it)\n`,
    );
}
