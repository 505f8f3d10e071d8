import { withLiveServerSeries } from '../prometheus/live-server';
import { startMetricsServer } from '../prometheus/metrics-server';
import { resolveServerQueries } from '../prometheus/server-queries';
import { annotateContext } from '../runner/lifecycle';
import { runSwarm } from '../runner/run';
import type { RunOptions } from '../runner/run-options';
import { RunConfigError, resolveKinds } from '../runner/run-plan';
import { AnnotationLog } from '../stats/annotations';
import type { Threshold } from '../thresholds/parse';
import { LiveRun, type StartRun } from '../web/live-run';
import { startWebServer } from '../web/web-server';
import { tailAnnotationFiles } from './annotation-file';
import type { Baseline } from './baseline';
import { finishRun } from './finish-run';
import { checkReachable } from './host-check';
import { progressPrinter } from './progress';
import type { RunArgs } from './run-args';
import type { LoadedScenario } from './scenario';
import { stopOnSignals } from './signals';
import { EXIT, UsageError } from './usage-error';

/**
 * `swarm run FILE` without `--headless`: serves the web UI and runs what it asks for, in this process, one run at
 * a time (closed model: users, spawn rate and run time from the form, which the flags prefill). Each finished run
 * goes through `finishRun` — thresholds, teardown, baseline, console and the `--json/--csv/--junit/--html` files —
 * as a headless run does. `--autostart` starts a run at once with the flags' values, and `--autoquit S` quits S
 * seconds after it ended. Ctrl-C or SIGTERM stops the run and the server; the exit code is that of the last run
 * (0 if none ran).
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
  // Tags that match no task are known now; the host comes with each start (the form checks it).
  resolveKinds(base);
  let lastExitCode: number = EXIT.ok;
  const queries = resolveServerQueries(scenario.classes, scenario.options.serverQueries, args.serverQueries);
  const startRun: StartRun = async (input, hooks) => {
    // Each run has its own marks: the --annotations file followed while it goes, setup's and teardown's.
    const annotations = new AnnotationLog('a');
    const tail = tailAnnotationFiles(args.annotations, annotations);
    let setupData: unknown;
    try {
      setupData = scenario.setup
        ? await scenario.setup({ host: input.host, ...annotateContext(annotations, 'setup') })
        : undefined;
    } catch (err) {
      tail?.stop();
      throw err;
    }
    // With --prometheus the page draws the servers' charts while the run goes, asked every 5 s.
    let live: ReturnType<typeof withLiveServerSeries> | null = null;
    const url = args.prometheus;
    const onControl: typeof hooks.onControl =
      url === undefined
        ? hooks.onControl
        : (control) => {
            live = withLiveServerSeries(control, { url, queries });
            hooks.onControl(live.control);
          };
    const summary = await runSwarm({
      ...base,
      classes: scenario.classes.filter((c) => input.userClasses.includes(c.name)),
      host: input.host,
      users: input.users,
      spawnRate: input.spawnRate,
      runTimeS: input.runTimeS,
      shape: undefined,
      setupData,
      annotations,
      signal: hooks.signal,
      onControl,
      onProgress: args.printStats ? progressPrinter({ ...args, onlySummary: false }) : undefined,
    }).finally(() => {
      (live as ReturnType<typeof withLiveServerSeries> | null)?.stop();
      tail?.stop();
    });
    const finished = await finishRun(summary, {
      args,
      scenario,
      thresholds,
      host: input.host,
      setupData,
      baseline,
      annotations,
    });
    lastExitCode = finished.exitCode;
    return finished.summary;
  };
  const run = new LiveRun(startRun);
  const defaults = {
    users: base.users ?? 1,
    spawnRate: base.spawnRate ?? base.users ?? 1,
    host: base.host ?? '',
    runTimeS: base.runTimeS,
  };
  let server: Awaited<ReturnType<typeof startWebServer>>;
  try {
    server = await startWebServer({
      run,
      host: args.webHost,
      port: args.webPort,
      allowedHosts: args.webAllowedHosts,
      scenario: args.file,
      classes: scenario.classes.map((c) => c.name),
      defaults,
      checkHost: args.checkHost ? checkReachable : undefined,
    });
  } catch (err) {
    throw new UsageError(
      `cannot serve the web UI on ${args.webHost}:${args.webPort}: ${(err as Error).message}`,
    );
  }
  process.stderr.write(`swarm: web UI on ${server.url} (Ctrl-C to quit)\n`);
  // The UI serves the metrics at its own /metrics; --metrics-port adds the port the stack's Prometheus scrapes.
  const metrics =
    args.metricsPort === undefined
      ? null
      : await startMetricsServer(
          {
            summary: () => run.summary(),
            users: () => (run.busy ? run.userCount : null),
            usersByClass: () => run.usersByClass(),
          },
          { host: args.metricsHost, port: args.metricsPort },
        ).catch((err: Error) => {
          void server.close();
          throw new UsageError(
            `--metrics-port: cannot serve metrics on ${args.metricsHost}:${args.metricsPort}: ${err.message}`,
          );
        });
  if (metrics !== null) process.stderr.write(`swarm: metrics on ${metrics.url}\n`);
  const quit = new AbortController();
  const release = stopOnSignals(quit, 'stopping the web UI');
  if (args.autostart) await autostart(run, args, scenario, defaults, quit);
  await new Promise<void>((resolve) => quit.signal.addEventListener('abort', () => resolve()));
  try {
    await run.stop();
    await server.close();
    await metrics?.close();
  } finally {
    release();
  }
  return lastExitCode;
}

/**
 * `--autostart`: starts one run at once with the flags' values (the host must be given, as in the form) and, with
 * `--autoquit S`, quits S seconds after that run ended.
 */
async function autostart(
  run: LiveRun,
  args: RunArgs,
  scenario: LoadedScenario,
  defaults: { users: number; spawnRate: number; host: string; runTimeS?: number | undefined },
  quit: AbortController,
): Promise<void> {
  if (defaults.host === '') {
    throw new RunConfigError('--autostart needs a host: pass -H/--host URL or set static host');
  }
  const reason = args.checkHost ? await checkReachable(defaults.host) : null;
  if (reason !== null) {
    throw new UsageError(
      `cannot reach the host ${defaults.host} (${reason}): is the target running? (--no-check skips this)`,
    );
  }
  run.start({
    users: defaults.users,
    spawnRate: defaults.spawnRate,
    host: defaults.host,
    userClasses: scenario.classes.map((c) => c.name),
    runTimeS: defaults.runTimeS,
  });
  process.stderr.write('swarm: --autostart: the run started\n');
  const autoquitS = args.autoquitS;
  if (autoquitS === undefined) return;
  const off = run.onChange(() => {
    if (run.state !== 'stopped') return;
    off();
    process.stderr.write(`swarm: --autoquit: quitting in ${autoquitS} s\n`);
    setTimeout(() => quit.abort(), autoquitS * 1000);
  });
}
