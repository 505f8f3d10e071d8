import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { Slo } from '../capacity/slo';
import type { CompareOptions } from '../compare/compare';
import { resolveServerQueries, type ServerQueries } from '../prometheus/server-queries';
import { parseDuration } from '../runner/duration';
import type { Stage } from '../runner/load-shape';
import { parseSegment, type Segment } from '../runner/segment';
import { parseThreshold, type Threshold } from '../thresholds/parse';
import { parseAbortOn, parseRateFlag } from './capacity-args';
import { COMPARE_FLAGS, COMPARE_FLAGS_USAGE, parseCompareFlags } from './compare-flags';
import { parseSourceAddress } from './source-address';
import { UsageError } from './usage-error';

/** `swarm run` after parsing and validation; undefined means "not given" (the scenario or a default decides). */
export interface RunArgs {
  file: string;
  userClasses: string[];
  users?: number;
  spawnRate?: number;
  runTimeS?: number;
  host?: string;
  tags: string[];
  excludeTags: string[];
  stopTimeoutS?: number;
  csv?: string;
  json?: string;
  junit?: string;
  html?: string;
  /** A `--json` summary of an earlier run to compare this one with. */
  baseline?: string;
  compare: CompareOptions;
  /** Exit 1 when the comparison with the baseline flags a regression. */
  failOnRegression: boolean;
  thresholds: Threshold[];
  loglevel: 'debug' | 'info' | 'warning' | 'error';
  rate?: number;
  /** `--rate` as stages (k6's ramping-arrival-rate); `rate` is then undefined. */
  rateStages?: Stage[];
  /** `--abort-on`: stop once this SLO is broken for 3 s in a row, and report the run's knee by it. */
  abortOn?: Slo;
  /** `--capacity-json FILE`: the knee (capacity.json) of a run with `--abort-on`. */
  capacityJson?: string;
  /**
   * `--annotations FILE` (repeatable): JSON lines of timeline marks (faults, notes) other processes append during
   * the run.
   */
  annotations: string[];
  maxUsers?: number;
  maxDelayS?: number;
  processes: number;
  segment?: Segment;
  /** `--start-at`: epoch ms at which the first user starts (every process and segment waits until then). */
  startAt?: number;
  /** `--source-address`: the local IP address every connection of this run is bound to. */
  sourceAddress?: string;
  instanceHeader?: string;
  timeoutMs?: number;
  /** `--honor-retry-after [--retry-after-max T]`: every HTTP user waits out a 429's or 503's Retry-After. */
  honorRetryAfter?: { maxMs: number };
  checkHost: boolean;
  /** Warm the engine up before the clock starts (`--no-warm-up` turns it off; runner/warm-up.ts). */
  warmUp: boolean;
  /** Without `--headless` the run is driven from the web UI. */
  headless: boolean;
  webHost: string;
  webPort: number;
  /** The run's id (`--run-id`, else `SWARM_RUN_ID`); undefined lets the command choose (see `defaultRunId`). */
  runId?: string;
  /** The exit code when a request failed or a task raised and every threshold held (Locust's default 1). */
  exitCodeOnError: number;
  /** No periodic progress on stderr, only the final report (Locust's `--only-summary`). */
  onlySummary: boolean;
  /** Web UI: print the progress on stderr as a headless run does (Locust's `--print-stats`). */
  printStats: boolean;
  /** Start the statistics afresh once every user is spawned (Locust's `--reset-stats`). */
  resetStats: boolean;
  /** `--csv` history with a row per endpoint each second, not only the aggregate (Locust's `--csv-full-history`). */
  csvFullHistory: boolean;
  /** Web UI: start a run at once with the flags' values (Locust's `--autostart`). */
  autostart: boolean;
  /** Web UI with `--autostart`: quit this many seconds after the run ends (Locust's `--autoquit`). */
  autoquitS?: number;
  /** More `Host` names the web UI answers to (`--web-allowed-host`, repeatable): a DNS name, a proxy's name. */
  webAllowedHosts: string[];
  /** List the scenario's user classes and exit (Locust's `-l`). */
  list: boolean;
  /** Serve the generator's own metrics at `/metrics` on this port (`--metrics-port`); undefined: not served. */
  metricsPort?: number;
  /** The address of `--metrics-port` (default 127.0.0.1). */
  metricsHost: string;
  /** Prometheus' base URL: query the servers' series over the run's window at its end (`--prometheus`). */
  prometheus?: string;
  /** More named queries for `--prometheus` (`--server-queries JSON`): the last layer, over the scenario's. */
  serverQueries?: ServerQueries;
}

export const RUN_USAGE = `usage: swarm run FILE [UserClass ...] [options]
       swarm run -f FILE [UserClass ...] [options]

  -f, --locustfile FILE    the scenario (instead of the first argument)
  -u, --users N            users of the whole run (closed model)
  -r, --spawn-rate R       users started per second
  -t, --run-time T         stop after T (30s, 5m, 1h30m)
  -H, --host URL           target base URL (overrides static host)
      --headless           run at once from the flags; without it the web UI is served and starts runs
      --web-host H         web UI address (default 127.0.0.1; anything else exposes the UI beyond this machine)
  -P, --web-port N         web UI port (default 8089; 0 picks a free one)
      --web-allowed-host H also answer to Host H (a DNS name or a proxy's, e.g. loadgen.example.com); repeatable
      --autostart          web UI: start a run at once with the flags' values
      --autoquit S         web UI with --autostart: quit S seconds after the run ends
      --print-stats        web UI: print the progress on stderr as a headless run does
  -T, --tags A,B           run only tasks with one of these tags
  -E, --exclude-tags A,B   skip tasks with one of these tags
  -s, --stop-timeout T     let users finish their current task for up to T at the end (default 0)
  -l, --list               list the scenario's user classes and exit
      --rate N/s           open model: start N iterations per second (N/m per minute)
      --rate R:T,R:T,...   open model, ramping: stages of rate R reached linearly over T (k6's
                           ramping-arrival-rate), e.g. 50/s:0s,3000/s:60s; the run ends after the last
      --abort-on SLO       stop once the SLO is broken 3 s in a row (stop reason slo_broken), and report the
                           knee: e.g. 'p(95)<200,rate<0.01' (p(N)<ms required; rate, dropped_rate optional)
      --capacity-json FILE with --abort-on: write the knee, the break and what saturated (swarm.capacity/v1)
      --max-users N        open model: at most N concurrent users (default 100)
      --max-delay T        open model: drop an iteration this late (default 5s)
      --processes N|auto   split the users across N worker processes and merge exactly
      --segment i/n        run segment i of n (for several machines), then \`swarm merge\`
      --run-id ID          the id every segment of this run shares (default: SWARM_RUN_ID, else chosen, see README)
      --start-at EPOCH_S   wait until then (epoch seconds, fractions allowed) before the first user starts, so
                           segments on several machines start together; more than 2 s past is an error
      --source-address A   send every request from local address A (e.g. 127.0.0.2: one client per address)
      --instance-header H  response header naming the replica (default X-Instance)
      --timeout T          request timeout (default 30s)
      --honor-retry-after  users wait out a 429's or 503's Retry-After before going on (the time waited is
                           reported as the metrics retry_after_waits and retry_after_wait_ms)
      --retry-after-max T  with --honor-retry-after: wait at most T whatever the server asks (default 30s)
      --threshold EXPR     e.g. 'p(95)<500', 'rate<0.01', 'hit_ratio>0.8', 'recovery_s<10', 'lost_writes==0'
                           (repeatable)
      --annotations FILE   follow FILE during the run for timeline marks, one JSON object a line:
                           {"id":"f1","at":EPOCH_MS,"end":EPOCH_MS,"label":"redis frozen","kind":"fault"}
                           (a later line with the same id updates it; kind fault: recovery is measured;
                           repeatable: several files, e.g. a fault schedule's and a supervisor's)
      --json FILE          write the summary (schema swarm.summary/v2)
      --csv PREFIX         write PREFIX_stats.csv, _stats_history.csv, _failures.csv, _exceptions.csv
                           (and _thresholds.csv with thresholds)
      --csv-full-history   with --csv: a history row per endpoint each second, not only the aggregate
      --junit FILE         write one JUnit test case per threshold
      --html FILE          write the self-contained HTML report (charts and tables, opens offline)
      --baseline FILE      compare with an earlier run's --json summary (console table, HTML section)
${COMPARE_FLAGS_USAGE}
      --exit-code-on-error N  exit N when a request failed or a task raised and the thresholds held (default 1)
      --reset-stats        start the statistics afresh once every user is spawned
      --only-summary       no progress on stderr, only the final report
      --loglevel L         debug, info (default), warning or error
      --no-check           skip the reachability check of the host before the run
      --no-warm-up         start the clock without first warming the engine up (a short test of its own
                           against a server inside this process, never the host; about 1 s, at most 1.5 s)
      --metrics-port N     serve the generator's own metrics at http://HOST:N/metrics while it runs
                           (Prometheus text format; the web UI also serves them at its own /metrics)
      --metrics-host H     address of --metrics-port (default 127.0.0.1)
      --prometheus URL     at the end, query this Prometheus over the run's window for the servers' series
                           (CPU per replica, event-loop delay, pool, Redis, Postgres, nginx; see README) into
                           the summary and the reports; a failure is a warning, never the verdict
      --server-queries JSON
                           more named queries for --prometheus, over the scenario's (null drops one), e.g.
                           '{"db_qps":{"query":"sum(rate(pg_stat_database_xact_commit[5s]))","unit":"tx/s"}}'

exit code: 0 all thresholds hold and nothing failed, 1 a threshold or check failed (a lost worker, a regression
with --fail-on-regression), or a request failed or a task raised (--exit-code-on-error N sets that one),
2 usage or configuration error (also a missing or invalid --baseline file); Ctrl-C and SIGTERM stop the run,
write every report and exit with its verdict`;

/** Locust's distributed flags: Swarm splits a run with --processes (one machine) or --segment (several). */
const DISTRIBUTED = [
  '--master',
  '--worker',
  '--expect-workers',
  '--master-host',
  '--master-port',
  '--master-bind-host',
  '--master-bind-port',
  '--expect-workers-max-wait',
];

/**
 * Refuses Locust's master/worker flags with what to use instead: Swarm has no master process that workers
 * connect to; `--processes N` splits a run over this machine's cores and `--segment i/n` + `swarm merge` over
 * several machines.
 */
function refuseDistributedFlags(argv: readonly string[]): void {
  const given = argv.find((a) => DISTRIBUTED.includes(a.split('=')[0]!));
  if (given === undefined) return;
  throw new UsageError(
    `${given.split('=')[0]}: Swarm has no master and workers; use --processes N to split a run over this ` +
      "machine's cores (it starts and merges its workers itself), or --segment i/n on each machine and " +
      '`swarm merge` of their --json summaries',
  );
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function runIdOf(flag: string, text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (!RUN_ID.test(text)) {
    throw new UsageError(
      `${flag}: "${text}" is not a run id; use up to 128 letters, digits and . _ : - (e.g. a job's uid)`,
    );
  }
  return text;
}

function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: "${text}" is not ${integer ? 'a whole number ≥ 0' : 'a number ≥ 0'}`);
  }
  return n;
}

/** `--start-at`: epoch seconds (fractions allowed) → epoch ms. Whether it is too late is the command's question. */
function startAtOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = Number(text);
  if (text.trim() === '' || !Number.isFinite(s) || s <= 0) {
    throw new UsageError(
      `--start-at: "${text}" is not a time; give epoch seconds, e.g. $(( $(date +%s) + 30 )) (fractions allowed)`,
    );
  }
  return Math.round(s * 1000);
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

/** `--server-queries`: a JSON object of named queries, as a scenario's `options.serverQueries` takes them. */
function serverQueriesOf(text: string | undefined): ServerQueries | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--server-queries: not JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(
      '--server-queries: need a JSON object of named queries, e.g. {"name":{"query":"up","unit":""}}',
    );
  }
  try {
    resolveServerQueries([], parsed as ServerQueries);
  } catch (err) {
    throw new UsageError(`--server-queries: ${(err as Error).message}`);
  }
  return parsed as ServerQueries;
}

const list = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

/**
 * Parses and validates the arguments of `swarm run` (pure apart from reading the core count for
 * `--processes auto`). A bad flag or value throws a `UsageError` that names the flag and what it accepts.
 *
 * @example
 * parseRunArgs(['scenario.ts', '-u', '50', '-t', '1m', '--threshold', 'p(95)<500']);
 */
export function parseRunArgs(argv: string[], env: Record<string, string | undefined> = {}): RunArgs {
  refuseDistributedFlags(argv);
  let parsed: ReturnType<typeof parseRunFlags>;
  try {
    parsed = parseRunFlags(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${RUN_USAGE}`);
  }
  const { values: v, positionals } = parsed;
  const named = v.locustfile;
  const [file, ...userClasses] = named === undefined ? positionals : [named, ...positionals];
  if (file === undefined) throw new UsageError(`swarm run needs a scenario FILE\n\n${RUN_USAGE}`);
  const loglevel = (v.loglevel ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warning', 'error'].includes(loglevel)) {
    throw new UsageError(`--loglevel: "${v.loglevel}" is not one of debug, info, warning, error`);
  }
  let processes = 1;
  if (v.processes !== undefined) {
    processes =
      v.processes === 'auto'
        ? availableParallelism()
        : (positiveNumber('--processes', v.processes, true) ?? 1);
    if (processes < 1) throw new UsageError('--processes: need a whole number ≥ 1 or auto');
  }
  let segment: Segment | undefined;
  if (v.segment !== undefined) {
    try {
      segment = parseSegment(v.segment);
    } catch (err) {
      throw new UsageError(`--segment: ${(err as Error).message}`);
    }
  }
  if (segment && processes > 1) throw new UsageError('--segment and --processes cannot be combined');
  if (v.host !== undefined && !/^https?:\/\/[^/]+/.test(v.host)) {
    throw new UsageError(`--host: "${v.host}" is not a URL; use e.g. http://127.0.0.1:8080`);
  }
  const thresholds = (v.threshold ?? []).map((t) => {
    try {
      return parseThreshold(t);
    } catch (err) {
      throw new UsageError(`--threshold: ${(err as Error).message}`);
    }
  });
  const webPort = positiveNumber('--web-port', v['web-port'], true) ?? 8089;
  if (webPort > 65535) throw new UsageError(`--web-port: "${v['web-port']}" is not a port (0-65535)`);
  const timeoutS = duration('--timeout', v.timeout);
  const retryAfterMaxS = duration('--retry-after-max', v['retry-after-max']);
  if (retryAfterMaxS !== undefined && v['honor-retry-after'] !== true) {
    throw new UsageError('--retry-after-max needs --honor-retry-after');
  }
  if (retryAfterMaxS === 0) throw new UsageError('--retry-after-max: must be more than 0 (e.g. 10s)');
  const compare = parseCompareFlags(v);
  if (compare.given && v.baseline === undefined) {
    throw new UsageError(
      '--fail-on-regression, --tolerance, --failure-tolerance and --latency-floor need --baseline FILE',
    );
  }
  const rated = v.rate === undefined ? undefined : parseRateFlag(v.rate);
  const abortOn = v['abort-on'] === undefined ? undefined : parseAbortOn(v['abort-on']);
  if (v['capacity-json'] !== undefined && abortOn === undefined) {
    throw new UsageError('--capacity-json needs --abort-on SLO (the knee is judged by it)');
  }
  const spawnRate = positiveNumber('--spawn-rate', v['spawn-rate'], false);
  if (spawnRate === 0) throw new UsageError('--spawn-rate: need a number > 0');
  const exitCodeOnError = positiveNumber('--exit-code-on-error', v['exit-code-on-error'], true) ?? 1;
  if (exitCodeOnError > 255) {
    throw new UsageError(`--exit-code-on-error: "${v['exit-code-on-error']}" is not an exit code (0-255)`);
  }
  if (v['csv-full-history'] && v.csv === undefined)
    throw new UsageError('--csv-full-history needs --csv PREFIX');
  const headless = v.headless === true;
  const webOnly = (['autostart', 'autoquit', 'print-stats', 'web-allowed-host'] as const).filter(
    (f) => v[f] !== undefined,
  );
  if (headless && webOnly.length > 0) {
    throw new UsageError(`--${webOnly[0]} is for the web UI; leave out --headless (or this flag)`);
  }
  if (v['start-at'] !== undefined && !headless) {
    throw new UsageError('--start-at is for --headless runs (the web UI starts its runs when asked)');
  }
  const autoquitS = positiveNumber('--autoquit', v.autoquit, false);
  if (autoquitS !== undefined && !v.autostart) {
    throw new UsageError('--autoquit needs --autostart (it quits after the run the UI started at once)');
  }
  const metricsPort = positiveNumber('--metrics-port', v['metrics-port'], true);
  if (metricsPort !== undefined && metricsPort > 65535) {
    throw new UsageError(`--metrics-port: "${v['metrics-port']}" is not a port (0-65535)`);
  }
  if (v['metrics-host'] !== undefined && metricsPort === undefined) {
    throw new UsageError('--metrics-host needs --metrics-port N');
  }
  if (v.prometheus !== undefined && !/^https?:\/\/[^/]+/.test(v.prometheus)) {
    throw new UsageError(`--prometheus: "${v.prometheus}" is not a URL; use e.g. http://127.0.0.1:9090`);
  }
  const webAllowedHosts = (v['web-allowed-host'] ?? []).map((h) => {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(h)) {
      throw new UsageError(
        `--web-allowed-host: "${h}" is not a host name; use e.g. loadgen.example.com[:8089]`,
      );
    }
    return h.toLowerCase();
  });
  return {
    file,
    userClasses,
    users: positiveNumber('--users', v.users, true),
    spawnRate,
    runTimeS: duration('--run-time', v['run-time']),
    host: v.host,
    tags: list(v.tags),
    excludeTags: list(v['exclude-tags']),
    stopTimeoutS: duration('--stop-timeout', v['stop-timeout']),
    csv: v.csv,
    json: v.json,
    junit: v.junit,
    html: v.html,
    baseline: v.baseline,
    compare: compare.options,
    failOnRegression: compare.failOnRegression,
    thresholds,
    loglevel: loglevel as RunArgs['loglevel'],
    rate: rated && 'rate' in rated ? rated.rate : undefined,
    rateStages: rated && 'stages' in rated ? rated.stages : undefined,
    abortOn,
    capacityJson: v['capacity-json'],
    annotations: (v.annotations ?? []).filter((f) => f !== ''),
    maxUsers: positiveNumber('--max-users', v['max-users'], true),
    maxDelayS: duration('--max-delay', v['max-delay']),
    processes,
    segment,
    startAt: startAtOf(v['start-at']),
    sourceAddress: parseSourceAddress(v['source-address']),
    instanceHeader: v['instance-header'],
    timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
    honorRetryAfter: v['honor-retry-after'] === true ? { maxMs: (retryAfterMaxS ?? 30) * 1000 } : undefined,
    checkHost: !v['no-check'],
    warmUp: !v['no-warm-up'],
    headless,
    webHost: v['web-host'] ?? '127.0.0.1',
    webPort,
    runId: runIdOf('--run-id', v['run-id']) ?? runIdOf('SWARM_RUN_ID', env.SWARM_RUN_ID),
    exitCodeOnError,
    onlySummary: v['only-summary'] === true,
    printStats: v['print-stats'] === true,
    resetStats: v['reset-stats'] === true,
    csvFullHistory: v['csv-full-history'] === true,
    autostart: v.autostart === true,
    autoquitS,
    webAllowedHosts,
    list: v.list === true,
    metricsPort,
    metricsHost: v['metrics-host'] ?? '127.0.0.1',
    prometheus: v.prometheus,
    serverQueries: serverQueriesOf(v['server-queries']),
  };
}

function parseRunFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      locustfile: { type: 'string', short: 'f' },
      users: { type: 'string', short: 'u' },
      'spawn-rate': { type: 'string', short: 'r' },
      'run-time': { type: 'string', short: 't' },
      host: { type: 'string', short: 'H' },
      headless: { type: 'boolean' },
      tags: { type: 'string', multiple: true, short: 'T' },
      'exclude-tags': { type: 'string', multiple: true, short: 'E' },
      'stop-timeout': { type: 'string', short: 's' },
      list: { type: 'boolean', short: 'l' },
      csv: { type: 'string' },
      json: { type: 'string' },
      junit: { type: 'string' },
      html: { type: 'string' },
      baseline: { type: 'string' },
      ...COMPARE_FLAGS,
      'web-host': { type: 'string' },
      'web-port': { type: 'string', short: 'P' },
      threshold: { type: 'string', multiple: true },
      loglevel: { type: 'string', short: 'L' },
      rate: { type: 'string' },
      'abort-on': { type: 'string', multiple: true },
      'capacity-json': { type: 'string' },
      annotations: { type: 'string', multiple: true },
      'max-users': { type: 'string' },
      'max-delay': { type: 'string' },
      processes: { type: 'string' },
      segment: { type: 'string' },
      'start-at': { type: 'string' },
      'source-address': { type: 'string' },
      'instance-header': { type: 'string' },
      timeout: { type: 'string' },
      'honor-retry-after': { type: 'boolean' },
      'retry-after-max': { type: 'string' },
      'no-check': { type: 'boolean' },
      'no-warm-up': { type: 'boolean' },
      'run-id': { type: 'string' },
      'exit-code-on-error': { type: 'string' },
      'only-summary': { type: 'boolean' },
      'print-stats': { type: 'boolean' },
      'reset-stats': { type: 'boolean' },
      'csv-full-history': { type: 'boolean' },
      autostart: { type: 'boolean' },
      autoquit: { type: 'string' },
      'web-allowed-host': { type: 'string', multiple: true },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      prometheus: { type: 'string' },
      'server-queries': { type: 'string' },
    },
  });
}
