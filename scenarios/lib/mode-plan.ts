import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultEntry } from './fault-schedule';

export interface Stage {
  duration: string;
  target: number;
}

export interface ModeProfile {
  description: string;
  userClasses: string[];
  users?: number;
  spawnRate?: number;
  runTime?: string;
  stages?: Stage[];
  /**
   * The reference's shape (the ingest mode): a ramp to `targetVus` (TARGET_VUS overrides it) over the first fifth
   * of the mode's `runTime` (RUN_TIME overrides it), a hold, a ramp down; the scenario builds it
   * (lib/ingest-plan.ts).
   */
  ramp?: { targetVus: number };
  /**
   * The open model: an arrival rate (`200/s`) or its stages (`50/s:0s,3000/s:90s`, k6's ramping-arrival-rate), run
   * with `--rate`; RATE overrides it.
   */
  rate?: string;
  /** The open model's most concurrent users (`--max-users`). */
  maxUsers?: number;
  /**
   * A breakpoint mode's SLO (threshold syntax): the run stops once it is broken (`--abort-on`) and its knee goes
   * to capacity.json; the verdict is that the knee was found (or noted as not reached), not that the SLO held.
   */
  slo?: string[];
  warmUp?: string;
  thresholds: string[];
  /** Prometheus queries this mode's report adds (over the profiles' own and Swarm's defaults); null drops one. */
  serverQueries?: ServerQueries;
  /** The failure lab: faults applied while the run goes (lib/fault-schedule.ts), each recorded as an annotation. */
  faults?: FaultEntry[];
  /** The failure lab: a replica the schedule starts again serves its share within this many seconds. */
  shareBackS?: number;
  /** The failure lab: the read hit ratio is back to >= 90% within this many seconds of Redis's return. */
  hitRatioBackS?: number;
  /**
   * Sub-runs of the same load on differently set up stacks (the pool mode; the overload lab's without and with
   * protection), run one after the other and compared side by side in OUT/<mode>.html.
   */
  runs?: SubRun[];
  /**
   * The quota lab: rows (one client each) whose passed requests (not 429) must stay within the sub-run's gateway
   * quota, QUOTA_RATE per second plus QUOTA_BURST, at every second of the run (lib/quota-check.ts).
   */
  quotaRows?: string[];
}

/** One sub-run of a mode with `runs`: the stack settings it is brought up with (`make up` variables). */
export interface SubRun {
  name: string;
  description: string;
  stack: Record<string, string>;
  /** This sub-run's criteria instead of the mode's (the run without protection is judged on what it shows). */
  thresholds?: string[];
  /**
   * With SUPERVISE=on: at most this many replica restarts (the supervisor's windows on the run's timeline, kind
   * `restart`) for the sub-run to pass; the memory lab's guard must leave 0.
   */
  maxRestarts?: number;
}

/**
 * The profiles with `mode` as `sub` runs it (pure): the sub-run's thresholds, when it has its own, replace the
 * mode's; the same profiles without a sub-run.
 *
 * @example
 * swarmArgs(profilesForSub(profiles, 'quota', profiles.modes.quota!.runs![0]), 'quota', dir, {}, []);
 */
export function profilesForSub(profiles: Profiles, mode: string, sub: SubRun | undefined): Profiles {
  const p = profiles.modes[mode];
  if (!p || sub?.thresholds === undefined) return profiles;
  return { ...profiles, modes: { ...profiles.modes, [mode]: { ...p, thresholds: sub.thresholds } } };
}

/**
 * Named Prometheus range queries, in the shape Swarm's `--server-queries` (and a scenario's
 * `options.serverQueries`) takes: PromQL text, `{ query, unit }`, or null to drop one of Swarm's defaults.
 */
export type ServerQueries = Record<string, { query: string; unit?: string } | string | null>;

export interface Profiles {
  host: string;
  /** How long users stopped at the end or by a ramp-down may finish their current task (`--stop-timeout`). */
  stopTimeout: string;
  replicas: number;
  /** Prometheus queries every mode's report adds; a mode's own add to or replace them by name. */
  serverQueries?: ServerQueries;
  modes: Record<string, ModeProfile>;
  all: string[];
  /** What `faults` runs in turn (the failure lab), one verdict. */
  failureLab?: string[];
  /** What `overload` runs in turn (the overload lab: cpu, memory, cascade, quota), one verdict. */
  overloadLab?: string[];
}

export const SCENARIO = 'scenarios/swarmgate.ts';
const PROFILES = join(import.meta.dirname, '..', 'profiles.json');

export function loadProfiles(file = PROFILES): Profiles {
  return JSON.parse(readFileSync(file, 'utf8')) as Profiles;
}

/** The overrides load_test.sh accepts, from the environment (empty means unset). */
export interface Overrides {
  USERS?: string | undefined;
  SPAWN_RATE?: string | undefined;
  RUN_TIME?: string | undefined;
  HOST?: string | undefined;
  RATE?: string | undefined;
}

/**
 * The run id of a report folder: its path under load_test_reports/, with a dash for each slash.
 *
 * @example
 * runIdOf('load_test_reports/all-20261201-213000/basic'); // 'all-20261201-213000-basic'
 */
export function runIdOf(out: string): string {
  const id = out
    .replace(/^(?:\.\/)?load_test_reports\//, '')
    .replace(/[^A-Za-z0-9._:-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 128);
  return id === '' ? 'load-test' : id;
}

/**
 * A mode's server queries: the profiles' top level, then the mode's own (by name: added, replaced, or dropped with
 * null); undefined when neither declares any. Throws an `Error` naming the entry of profiles.json that is neither
 * PromQL text, `{ query, unit }` nor null.
 *
 * @example
 * modeServerQueries(profiles, 'breakpoint'); // { scraped_cpu_cores_total: { query: 'sum(...)', unit: 'cores' } }
 */
export function modeServerQueries(profiles: Profiles, mode: string): ServerQueries | undefined {
  const layers: Array<[string, ServerQueries | undefined]> = [
    ['serverQueries', profiles.serverQueries],
    [`modes.${mode}.serverQueries`, profiles.modes[mode]?.serverQueries],
  ];
  if (layers.every(([, q]) => q === undefined)) return undefined;
  const merged: ServerQueries = {};
  for (const [where, layer] of layers) {
    if (layer === undefined) continue;
    if (layer === null || typeof layer !== 'object' || Array.isArray(layer))
      throw new Error(`scenarios/profiles.json: ${where} must be an object of named queries`);
    for (const [name, q] of Object.entries(layer)) {
      const ok =
        q === null ||
        (typeof q === 'string' && q.trim() !== '') ||
        (typeof q === 'object' &&
          typeof q.query === 'string' &&
          q.query.trim() !== '' &&
          (q.unit === undefined || typeof q.unit === 'string'));
      if (!ok)
        throw new Error(
          `scenarios/profiles.json: ${where}.${name} must be PromQL text, { "query": "...", "unit": "..." } or null`,
        );
      merged[name] = q;
    }
  }
  return merged;
}

/**
 * The `swarm run` arguments of one mode (pure): its user classes, load, thresholds and report files under `out`.
 * A mode with stages (or a ramp) runs its load shape (the scenario builds it from SWARMGATE_MODE) unless USERS
 * overrides it.
 * A mode with a rate runs the open model (RATE overrides it), and one with an SLO stops on it and writes
 * capacity.json. The profiles' server queries (top level, then the mode's) go to `--server-queries`.
 * Overrides: USERS, SPAWN_RATE, RUN_TIME, HOST, RATE; `extra` (the user's own flags) comes last, so it wins.
 *
 * @example
 * swarmArgs(profiles, 'basic', 'load_test_reports/basic-1', {}, ['--loglevel', 'warning'])
 */
export function swarmArgs(
  profiles: Profiles,
  mode: string,
  out: string,
  env: Overrides,
  extra: string[],
): string[] {
  const p = profiles.modes[mode];
  if (!p)
    throw new Error(
      `no mode "${mode}" in scenarios/profiles.json; modes: ${Object.keys(profiles.modes).join(', ')}`,
    );
  const set = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const host = set(env.HOST) ?? profiles.host;
  const args = ['run', SCENARIO, ...p.userClasses, '--headless', '-H', host];
  const users = set(env.USERS) ?? (p.stages || p.ramp || p.rate ? undefined : String(p.users));
  if (p.rate && users === undefined) {
    args.push('--rate', set(env.RATE) ?? p.rate);
    if (p.maxUsers !== undefined) args.push('--max-users', String(p.maxUsers));
    // A ramp of rates ends with its last stage; a constant rate runs for the mode's runTime (without it, for ever).
    const runTime = set(env.RUN_TIME) ?? p.runTime;
    if (runTime !== undefined) args.push('-t', runTime);
  } else if (users !== undefined) {
    args.push('-u', users, '-r', set(env.SPAWN_RATE) ?? String(p.spawnRate ?? users));
    args.push('-t', set(env.RUN_TIME) ?? p.runTime ?? '60s');
  } else if (set(env.RUN_TIME)) {
    args.push('-t', env.RUN_TIME!);
  }
  for (const t of p.thresholds) args.push('--threshold', t);
  const queries = modeServerQueries(profiles, mode);
  if (queries !== undefined) args.push('--server-queries', JSON.stringify(queries));
  if (p.slo) args.push('--abort-on', p.slo.join(','), '--capacity-json', join(out, 'capacity.json'));
  // The mode's criteria are its verdict: they say how many failed requests it allows (stress: under 1%), so a
  // failure within them is no error (Swarm, as Locust, would otherwise exit 1 on any failure).
  args.push('--exit-code-on-error', '0');
  // The run's id names its report folder, so summary.json says which run it is.
  args.push('--run-id', runIdOf(out));
  args.push(
    '--json',
    join(out, 'summary.json'),
    '--csv',
    join(out, 'run'),
    '--junit',
    join(out, 'junit.xml'),
    '--html',
    join(out, 'report.html'),
  );
  return [...args, ...extra];
}
