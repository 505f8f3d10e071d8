import { renderConsole } from '../report/console-report';
import { withTeardown } from '../runner/lifecycle';
import { runSwarm } from '../runner/run';
import type { RunOptions } from '../runner/run-options';
import type { Summary } from '../stats/summary-types';
import { evaluateThresholds } from '../thresholds/evaluate';
import type { Threshold } from '../thresholds/parse';
import { LiveRun, type StartRun } from '../web/live-run';
import { startWebServer } from '../web/web-server';
import { type Baseline, compareWithBaseline, runExitCode } from './baseline';
import { checkReachable } from './host-check';
import type { RunArgs } from './run-args';
import type { LoadedScenario } from './scenario';
import { EXIT, UsageError } from './usage-error';
import { writeReports } from './write-reports';

/**
 * `swarm run FILE` without `--headless`: serves the web UI and runs what it asks for, in this process, one run at
 * a time (closed model: users and spawn rate from the form). Each finished run is judged by the thresholds, goes
 * through the scenario's teardown, is printed and written to the `--json/--csv/--junit/--html` files (compared with
 * `--baseline` when given). Ctrl-C stops the run and the server; the exit code is that of the last run (0 if none
 * ran).
 */
export async function webMode(
  args: RunArgs,
  scenario: LoadedScenario,
  base: RunOptions,
  thresholds: Threshold[],
  baseline?: Baseline,
): Promise<number> {
  if (args.processes > 1 || args.segment || args.rate !== undefined) {
    throw new UsageError(
      '--processes, --segment and --rate need --headless (the web UI runs users in this process)',
    );
  }
  const startRun: StartRun = async (input, hooks) => {
    const setupData = scenario.setup ? await scenario.setup({ host: input.host }) : undefined;
    let summary: Summary = await runSwarm({
      ...base,
      classes: scenario.classes.filter((c) => input.userClasses.includes(c.name)),
      host: input.host,
      users: input.users,
      spawnRate: input.spawnRate,
      shape: undefined,
      setupData,
      signal: hooks.signal,
      onControl: hooks.onControl,
    });
    summary.thresholds = evaluateThresholds(summary, thresholds);
    if (scenario.teardown) {
      summary = withTeardown(
        summary,
        await scenario.teardown({ host: input.host, data: setupData, summary }),
      );
    }
    const compared = compareWithBaseline(summary, baseline, args);
    process.stdout.write(renderConsole(summary, { baseline: compared }));
    for (const path of writeReports(summary, args, compared)) process.stderr.write(`swarm: wrote ${path}\n`);
    return summary;
  };
  const run = new LiveRun(startRun);
  let server: Awaited<ReturnType<typeof startWebServer>>;
  try {
    server = await startWebServer({
      run,
      host: args.webHost,
      port: args.webPort,
      scenario: args.file,
      classes: scenario.classes.map((c) => c.name),
      defaults: { users: base.users ?? 1, spawnRate: base.spawnRate ?? 1, host: base.host ?? '' },
      checkHost: args.checkHost ? checkReachable : undefined,
    });
  } catch (err) {
    throw new UsageError(
      `cannot serve the web UI on ${args.webHost}:${args.webPort}: ${(err as Error).message}`,
    );
  }
  process.stderr.write(`swarm: web UI on ${server.url} (Ctrl-C to quit)\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  process.stderr.write('\nswarm: stopping the web UI\n');
  await run.stop();
  await server.close();
  const last = run.summary();
  return last === null ? EXIT.ok : runExitCode(last, compareWithBaseline(last, baseline, args), args);
}
