/**
 * What `./load_test.sh [--engine swarm|k6] MODE [flags]` runs: checks that the stack answers, runs the mode's
 * profile (scenarios/profiles.json) with every report written under OUT, prints the verdict and exits with it.
 * `all` runs basic, cache, stress and spike in turn into OUT/<mode>/ with one combined verdict; `faults` runs the
 * failure lab's modes (profiles.json's failureLab) the same way, and `overload` the overload lab's (overloadLab). A
 * mode with `faults` applies them while it runs (lib/fault-mode.ts); one with `runs` (pool; the overload lab's
 * without and with protection) brings the stack up differently for each sub-run (lib/pool-mode.ts).
 *
 *   node --import tsx scenarios/run-mode.ts ENGINE MODE OUT [extra swarm flags]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { request } from 'undici';
import { runFaultMode } from './lib/fault-mode';
import { ScheduleError } from './lib/fault-schedule';
import { ingestK6Verdict } from './lib/ingest-k6';
import { isLabMode, scheduleOf } from './lib/lab-plan';
import { loadProfiles, profilesForSub, runIdOf, type SubRun, swarmArgs } from './lib/mode-plan';
import { runPoolMode } from './lib/pool-mode';
import { poolFindings } from './lib/pool-report';
import {
  clientWithinQuota,
  type QuotaEndpoint,
  type QuotaSecond,
  quotaPerSecond,
  replicasWithinQuota,
} from './lib/quota-check';
import { runScaling } from './lib/scaling';

const SWARM_BIN = join(import.meta.dirname, '..', 'packages', 'swarm', 'bin', 'swarm.js');
const [engine = 'swarm', mode = '', out = '', ...extra] = process.argv.slice(2);
const profiles = loadProfiles();
const host = process.env.HOST || profiles.host;

function fail(message: string, code = 2): never {
  process.stderr.write(`load_test: ${message}\n`);
  process.exit(code);
}

async function gatewayAnswers(): Promise<boolean> {
  try {
    const res = await request(new URL('/gateway-health', host), { headersTimeout: 3000, bodyTimeout: 3000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** Whether nothing listens on 127.0.0.1:`port`. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Whether the stack's Prometheus answers (its readiness endpoint), within 2 s. */
async function prometheusAnswers(url: string): Promise<boolean> {
  try {
    const res = await request(new URL('/-/ready', url), { headersTimeout: 2000, bodyTimeout: 2000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/**
 * The stack's monitoring for a Swarm run, unless the caller's flags say otherwise: `--metrics-port` (the stack's
 * SWARM_METRICS_PORT, default 9646), where the stack's Prometheus scrapes the generator (job `swarm`) while it runs,
 * and `--prometheus` when the stack's Prometheus answers (PROMETHEUS_PORT, default 9090), so the reports carry the
 * servers' charts; without it the run goes on without them, and says so.
 */
async function monitoringFlags(given: readonly string[]): Promise<string[]> {
  const has = (flag: string) => given.some((a) => a === flag || a.startsWith(`${flag}=`));
  const flags: string[] = [];
  const metricsPort = Number(process.env.SWARM_METRICS_PORT || '9646');
  // Another run (or program) on the port would stop this one at its start: it goes on unscraped instead.
  const free = !has('--metrics-port') && (await portFree(metricsPort));
  if (free) flags.push('--metrics-port', String(metricsPort));
  else if (!has('--metrics-port'))
    process.stderr.write(
      `load_test: port ${metricsPort} is taken: Prometheus will not scrape this run's generator\n`,
    );
  if (has('--prometheus')) return flags;
  const url = `http://127.0.0.1:${process.env.PROMETHEUS_PORT || '9090'}`;
  if (await prometheusAnswers(url)) flags.push('--prometheus', url);
  else
    process.stderr.write(
      `load_test: no Prometheus at ${url} (MONITOR=off?): the reports have no server charts\n`,
    );
  return flags;
}

let current: ReturnType<typeof spawn> | undefined;
/** Set by Ctrl-C or TERM: the run going on stops (and writes its reports), and no further mode starts. */
let interrupted = false;
/** The exit code of a run cut short, as a shell gives a command ended by the signal: 130 (INT) or 143 (TERM). */
let interruptedCode = 130;
// Ctrl-C reaches the child from the terminal (it stops and still writes its reports); this process only waits for
// it. A TERM sent to this process alone (a CI runner, `kill`) is passed on, so no run is left behind. Swarm treats
// both alike and exits with the run's verdict, so the exit code alone no longer says that the run was cut short.
process.on('SIGINT', () => {
  interrupted = true;
});
process.on('SIGTERM', () => {
  interrupted = true;
  interruptedCode = 143;
  current?.kill('SIGTERM');
});

/** Runs one command with inherited output and resolves with its exit code. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    current = child;
    child.on('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
}

/**
 * The summary of the latest earlier run of the same mode (its own folder, or its part of an `all` run), so each
 * run is compared with the one before it; undefined for the first.
 */
function previousSummary(m: string, dir: string): string | undefined {
  const root = 'load_test_reports';
  if (!existsSync(root)) return undefined;
  const candidates = readdirSync(root)
    .map((d) =>
      d.startsWith(`${m}-`)
        ? join(root, d, 'summary.json')
        : d.startsWith('all-')
          ? join(root, d, m, 'summary.json')
          : '',
    )
    .filter((f) => f !== '' && existsSync(f) && !f.startsWith(`${dir}/`))
    .sort((x, y) => statSync(x).mtimeMs - statSync(y).mtimeMs);
  return candidates.at(-1);
}

/**
 * Runs one mode into `dir` against `replicas` replicas; `compare` with the mode's previous run (scaling's steps:
 * no); `sub`: the sub-run of a `runs` mode it is (its own thresholds).
 */
async function runMode(
  m: string,
  dir: string,
  replicas = profiles.replicas,
  compare = true,
  sub?: SubRun,
): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, SWARMGATE_MODE: m, REPLICAS: String(replicas) };
  if (engine === 'k6') {
    if (spawnSync('k6', ['version']).error) {
      fail(
        'k6 is not installed (see https://grafana.com/docs/k6/latest/set-up/install-k6/); the default engine is swarm',
      );
    }
    const args = [
      'run',
      '-e',
      `MODE=${m}`,
      '-e',
      `HOST=${host}`,
      '-e',
      `SUMMARY_JSON=${join(dir, 'k6-summary.json')}`,
    ];
    for (const k of ['USERS', 'SPAWN_RATE', 'RUN_TIME', 'TARGET_VUS'])
      if (process.env[k]) args.push('-e', `${k}=${process.env[k]}`);
    if (m !== 'ingest') return run('k6', [...args, ...extra, 'k6/swarmgate.js'], env);
    // The ingest mode has its own script; its exactly-once criteria are judged from Postgres once k6 exited.
    args.push('-e', `RUN_ID=${runIdOf(dir)}`);
    const code = await run('k6', [...args, ...extra, 'k6/ingest.js'], env);
    return ingestK6Verdict(join(dir, 'k6-summary.json'), code);
  }
  const baseline = compare ? previousSummary(m, dir) : undefined;
  const previous = baseline && !extra.includes('--baseline') ? ['--baseline', baseline] : [];
  const monitoring = await monitoringFlags(extra);
  let args: string[];
  try {
    args = swarmArgs(profilesForSub(profiles, m, sub), m, dir, process.env, [
      ...previous,
      ...monitoring,
      ...supervisionAnnotations(sub, extra),
      ...extra,
    ]);
  } catch (err) {
    fail((err as Error).message); // e.g. a server query in profiles.json that is not one
  }
  process.stderr.write(
    `load_test: ${m}: ${profiles.modes[m]!.description}\nload_test: swarm ${args.join(' ')}\n`,
  );
  const p = profiles.modes[m]!;
  if (p.faults) {
    // The failure lab: the schedule applied while the run goes, the stack restored whatever happens.
    return runFaultMode({
      mode: m,
      faults: scheduleOf(profiles, m, process.env, replicas),
      replicas,
      swarmBin: SWARM_BIN,
      args,
      dir,
      env,
      ...(p.shareBackS !== undefined && { shareBackS: p.shareBackS }),
      ...(p.hitRatioBackS !== undefined && { hitRatioBackS: p.hitRatioBackS }),
    });
  }
  const code = await run(process.execPath, [SWARM_BIN, ...args], env);
  if (p.quotaRows) return quotaVerdict(p.quotaRows, sub, join(dir, 'summary.json'), code);
  if (sub?.maxRestarts !== undefined) return restartVerdict(sub.maxRestarts, join(dir, 'summary.json'), code);
  return profiles.modes[m]!.slo ? breakpointVerdict(join(dir, 'capacity.json'), code) : code;
}

/**
 * A sub-run with SUPERVISE=on draws the supervisor's restarts on its timeline: an `--annotations` that follows
 * STACK_DIR/supervision-events.jsonl (the supervisor appends a window per death and restart), beside any the
 * caller or the fault schedule pass (Swarm follows every one).
 */
function supervisionAnnotations(sub: SubRun | undefined, given: readonly string[]): string[] {
  if (sub?.stack.SUPERVISE !== 'on') return [];
  const root = join(import.meta.dirname, '..');
  const stackDir = process.env.STACK_DIR || '.stack';
  const file = join(isAbsolute(stackDir) ? stackDir : join(root, stackDir), 'supervision-events.jsonl');
  return given.includes(file) ? [] : ['--annotations', file];
}

/**
 * The memory lab's criterion: the replicas the supervisor restarted during the run (its windows of kind `restart`
 * on the run's timeline) at most `max`; printed as PASS or FAIL, it can only turn a pass into a fail.
 */
function restartVerdict(max: number, file: string, code: number): number {
  if (code > 1 || !existsSync(file)) return code;
  const s = JSON.parse(readFileSync(file, 'utf8')) as {
    annotations?: Array<{ kind?: string; label?: string }>;
  };
  const restarts = (s.annotations ?? []).filter((a) => a.kind === 'restart');
  const ok = restarts.length <= max;
  process.stdout.write(
    `load_test: ${ok ? 'PASS' : 'FAIL'}  replica restarts ${restarts.length} (at most ${max})` +
      `${restarts.length > 0 ? `: ${restarts.map((a) => a.label).join(', ')}` : ''}\n`,
  );
  return ok ? code : 1;
}

/**
 * The quota lab's criteria Swarm cannot judge (lib/quota-check.ts): each client's passed requests within the
 * sub-run's QUOTA_RATE x seconds + QUOTA_BURST, and what the replicas saw each second within all clients' buckets;
 * printed as PASS or FAIL, they can only turn a pass into a fail. A sub-run without a quota has nothing to check.
 */
function quotaVerdict(rows: readonly string[], sub: SubRun | undefined, file: string, code: number): number {
  const rate = quotaPerSecond(sub?.stack.QUOTA_RATE ?? process.env.QUOTA_RATE);
  if (rate === null || code > 1 || !existsSync(file)) return code;
  const burst = Number(sub?.stack.QUOTA_BURST ?? process.env.QUOTA_BURST ?? '20');
  const s = JSON.parse(readFileSync(file, 'utf8')) as {
    durationS: number;
    endpoints: QuotaEndpoint[];
    timeSeries: QuotaSecond[];
  };
  let verdict = code;
  const checks = [
    ...rows.map((row) => clientWithinQuota(s.endpoints, row, s.durationS, rate, burst)),
    replicasWithinQuota(s.timeSeries, rows.length, rate, burst),
  ];
  for (const r of checks) {
    if (!r.ok) verdict = 1;
    process.stdout.write(
      `load_test: ${r.ok ? 'PASS' : 'FAIL'}  ${r.what === 'replicas' ? `what the replicas saw (${rows.length} clients)` : r.what}: ` +
        `${r.passed} passed the gateway, at most ${Math.round(r.allowed)} allowed (${rate}/s, burst ${burst}` +
        `${r.worstExcess > 0 ? `; ${Math.ceil(r.worstExcess)} over` : ''})\n`,
    );
  }
  return verdict;
}

/**
 * A breakpoint run's job is to find the break, not to pass: it succeeds (0) when Swarm wrote capacity.json, with
 * a knee or a "not reached" note, whatever its thresholds and failures; without the file its exit code stands.
 */
function breakpointVerdict(file: string, code: number): number {
  if (code > 1 || !existsSync(file)) return code;
  const c = JSON.parse(readFileSync(file, 'utf8')) as {
    reached: boolean;
    knee: { rps: number; latencyMs: number | null } | null;
    saturation: { note: string } | null;
    note: string;
  };
  const knee = c.knee
    ? `${Math.round(c.knee.rps)} req/s at p95 ${c.knee.latencyMs === null ? '-' : Math.round(c.knee.latencyMs)} ms`
    : 'none held';
  process.stdout.write(
    `load_test: knee ${c.reached ? knee : `not reached (${knee})`}; ${c.saturation?.note ?? 'no saturation data'}\n`,
  );
  return 0;
}

const modes = [...Object.keys(profiles.modes), 'all', 'faults', 'overload', 'scaling', 'interactive'];
if (!modes.includes(mode)) fail(`unknown mode "${mode}"; use one of ${modes.join(', ')}`);
if (engine !== 'swarm' && engine !== 'k6') fail(`--engine must be swarm or k6, not "${engine}"`);
// `faults` and `overload` run the labs' modes in turn. Their schedules are checked here, before any load (exit 2).
const groups: Record<string, string[]> = {
  all: profiles.all,
  faults: profiles.failureLab ?? [],
  overload: profiles.overloadLab ?? [],
};
const list = groups[mode] ?? [mode];
for (const m of list.filter((x) => isLabMode(profiles.modes[x]))) {
  if (engine === 'k6')
    fail(`${m} is a failure-lab mode: k6 cannot apply faults to the stack; use --engine swarm`);
  try {
    scheduleOf(profiles, m, process.env, profiles.replicas);
  } catch (err) {
    if (err instanceof ScheduleError) fail(err.message);
    throw err;
  }
}
if (engine === 'k6' && spawnSync('k6', ['version']).error) {
  fail(
    'k6 is not installed (see https://grafana.com/docs/k6/latest/set-up/install-k6/); the default engine is swarm',
  );
}
if (engine === 'k6' && mode === 'scaling') fail('scaling needs the swarm engine (it reads capacity.json)');
if (!(await gatewayAnswers()))
  fail(`the stack is not up (no answer from ${host}/gateway-health): run \`make up\``);

if (mode === 'interactive') {
  // The web UI: start, steer and stop runs from the browser; reports download from the page.
  const args = ['run', 'scenarios/swarmgate.ts', '-H', host, ...(await monitoringFlags(extra)), ...extra];
  process.stderr.write('load_test: interactive: starting the web UI (Ctrl-C to stop)\n');
  process.exit(
    await run(process.execPath, [SWARM_BIN, ...args], {
      ...process.env,
      REPLICAS: String(profiles.replicas),
    }),
  );
}

/**
 * A run cut short by Ctrl-C or TERM passes no verdict, whatever its cut-short criteria said (Swarm itself exits
 * with the verdict of what ran, as Locust does): load_test.sh exits 130 or 143, as the shell reports a command
 * ended by the signal, and says so.
 */
function finalCode(code: number): number {
  if (!interrupted) return code;
  process.stdout.write(
    `load_test: interrupted: no verdict (exit ${interruptedCode}); the reports of what ran are written\n`,
  );
  return interruptedCode;
}

if (mode === 'scaling') {
  // The breakpoint at 1..REPLICAS_MAX replicas into OUT/replicas-<n>/, then scaling.json and scaling.html.
  const code = await runScaling(out, process.env, {
    run,
    runBreakpoint: (n, dir) => runMode('breakpoint', dir, n, false),
    interrupted: () => interrupted,
    defaultReplicas: profiles.replicas,
  });
  process.exit(finalCode(code));
}

const verdicts: Array<[string, number]> = [];
for (const m of list) {
  const dir = groups[mode] ? join(out, m) : out;
  const runs = profiles.modes[m]!.runs;
  const code = runs
    ? await runPoolMode({
        mode: m,
        runs,
        out: dir,
        env: process.env,
        runSub: (sub, subDir, n) => runMode(m, subDir, n, false, sub),
        interrupted: () => interrupted,
        ...(m === 'pool' && {
          findings: (rows) => poolFindings(rows, Number(process.env.PG_POOL_TIMEOUT_MS || '2000')),
        }),
      })
    : await runMode(m, dir);
  verdicts.push([m, code]);
  if (interrupted || code === 130 || code === 143) break; // interrupted: the reports of what ran are written
}
const word = (code: number) =>
  code === 0 ? 'PASS' : code === 1 ? 'FAIL (a criterion was not met)' : `ERROR (exit ${code})`;
process.stdout.write(`\nload_test: reports in ${out}/\n`);
for (const [m, code] of verdicts) process.stdout.write(`load_test: ${m.padEnd(6)} ${word(code)}\n`);
const worst = verdicts.some(([, c]) => c > 1)
  ? Math.max(...verdicts.map(([, c]) => c))
  : verdicts.some(([, c]) => c === 1)
    ? 1
    : 0;
if (!interrupted) process.stdout.write(`load_test: verdict ${worst === 0 ? 'PASS' : 'FAIL'}\n`);
process.exit(finalCode(worst));
