import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { CompareOptions } from '../compare/compare';
import { parseDuration } from '../runner/duration';
import { parseSegment, type Segment } from '../runner/segment';
import { parseThreshold, type Threshold } from '../thresholds/parse';
import { COMPARE_FLAGS, COMPARE_FLAGS_USAGE, parseCompareFlags } from './compare-flags';
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
  maxUsers?: number;
  maxDelayS?: number;
  processes: number;
  segment?: Segment;
  instanceHeader?: string;
  timeoutMs?: number;
  checkHost: boolean;
  /** Without `--headless` (and outside a worker) the run is driven from the web UI. */
  headless: boolean;
  webHost: string;
  webPort: number;
  /** Internal: run as a worker of `--processes`, sending the summary to the parent. */
  worker: boolean;
}

export const RUN_USAGE = `usage: swarm run FILE [UserClass ...] [options]

  -u, --users N            users of the whole run (closed model)
  -r, --spawn-rate R       users started per second
  -t, --run-time T         stop after T (30s, 5m, 1h30m)
  -H, --host URL           target base URL (overrides static host)
      --headless           run at once from the flags; without it the web UI is served and starts runs
      --web-host H         web UI address (default 127.0.0.1; anything else exposes the UI beyond this machine)
      --web-port N         web UI port (default 8089; 0 picks a free one)
      --tags A,B           run only tasks with one of these tags
      --exclude-tags A,B   skip tasks with one of these tags
      --stop-timeout T     let users finish their current task for up to T at the end (default 0)
      --rate N/s           open model: start N iterations per second (N/m per minute)
      --max-users N        open model: at most N concurrent users (default 100)
      --max-delay T        open model: drop an iteration this late (default 5s)
      --processes N|auto   split the users across N worker processes and merge exactly
      --segment i/n        run segment i of n (for several machines), then \`swarm merge\`
      --instance-header H  response header naming the replica (default X-Instance)
      --timeout T          request timeout (default 30s)
      --threshold EXPR     e.g. 'p(95)<500', 'rate<0.01', 'hit_ratio>0.8' (repeatable)
      --json FILE          write the summary (schema swarm.summary/v1)
      --csv PREFIX         write PREFIX_stats.csv, _stats_history.csv, _failures.csv, _exceptions.csv
      --junit FILE         write one JUnit test case per threshold
      --html FILE          write the self-contained HTML report (charts and tables, opens offline)
      --baseline FILE      compare with an earlier run's --json summary (console table, HTML section)
${COMPARE_FLAGS_USAGE}
      --loglevel L         debug, info (default), warning or error
      --no-check           skip the reachability check of the host before the run

exit code: 0 all thresholds hold, 1 a threshold failed (or a regression with --fail-on-regression),
2 usage or configuration error (also a missing or invalid --baseline file)`;

function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: "${text}" is not ${integer ? 'a whole number ≥ 0' : 'a number ≥ 0'}`);
  }
  return n;
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

/** `200`, `200/s` or `600/m` → iterations per second. */
function rate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|m|h))?$/.exec(text.trim());
  if (m === null || Number(m[1]) <= 0)
    throw new UsageError(`--rate: "${text}" is not a rate; use e.g. 200/s or 600/m`);
  const per = { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
  return Number(m[1]) / per;
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
export function parseRunArgs(argv: string[]): RunArgs {
  let parsed: ReturnType<typeof parseRunFlags>;
  try {
    parsed = parseRunFlags(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${RUN_USAGE}`);
  }
  const { values: v, positionals } = parsed;
  const [file, ...userClasses] = positionals;
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
  const compare = parseCompareFlags(v);
  if (compare.given && v.baseline === undefined) {
    throw new UsageError(
      '--fail-on-regression, --tolerance, --failure-tolerance and --latency-floor need --baseline FILE',
    );
  }
  const spawnRate = positiveNumber('--spawn-rate', v['spawn-rate'], false);
  if (spawnRate === 0) throw new UsageError('--spawn-rate: need a number > 0');
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
    rate: rate(v.rate),
    maxUsers: positiveNumber('--max-users', v['max-users'], true),
    maxDelayS: duration('--max-delay', v['max-delay']),
    processes,
    segment,
    instanceHeader: v['instance-header'],
    timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
    checkHost: !v['no-check'],
    worker: v.worker === true,
    headless: v.headless === true || v.worker === true,
    webHost: v['web-host'] ?? '127.0.0.1',
    webPort,
  };
}

function parseRunFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      users: { type: 'string', short: 'u' },
      'spawn-rate': { type: 'string', short: 'r' },
      'run-time': { type: 'string', short: 't' },
      host: { type: 'string', short: 'H' },
      headless: { type: 'boolean' },
      tags: { type: 'string', multiple: true },
      'exclude-tags': { type: 'string', multiple: true },
      'stop-timeout': { type: 'string' },
      csv: { type: 'string' },
      json: { type: 'string' },
      junit: { type: 'string' },
      html: { type: 'string' },
      baseline: { type: 'string' },
      ...COMPARE_FLAGS,
      'web-host': { type: 'string' },
      'web-port': { type: 'string' },
      threshold: { type: 'string', multiple: true },
      loglevel: { type: 'string', short: 'L' },
      rate: { type: 'string' },
      'max-users': { type: 'string' },
      'max-delay': { type: 'string' },
      processes: { type: 'string' },
      segment: { type: 'string' },
      'instance-header': { type: 'string' },
      timeout: { type: 'string' },
      'no-check': { type: 'boolean' },
      worker: { type: 'boolean' },
    },
  });
}
