import { CPU_WARN_PERCENT, LAG_WARN_MS } from '../monitor/saturation';
import type { ServerSeries, TimePoint } from '../stats/summary-types';

// The summary's type (`summary.server.series`), re-exported here where capacity code has always found it.
export type { ServerSeries };

/**
 * When one kind of series counts as saturated. `atLeast` alone: an absolute limit. `growth`: a multiple of the
 * series' own baseline at low load, and at least `atLeast` when given (a floor for a baseline near zero).
 */
export interface SaturationRule {
  /** The series name it judges; `labels`, if given, must all match too. */
  name: string;
  labels?: Record<string, string>;
  atLeast?: number;
  growth?: number;
  /** The load generator's own resources: a saturated generator means the run measured the generator. */
  generator?: boolean;
  /** What it means, for reports, e.g. "CPU of a single-threaded Node process (cores)". */
  what: string;
}

/**
 * Rules for the series the stack and the engine expose (names as Prometheus gives them, values in base units). A
 * Node process runs JavaScript on one thread, so 0.9 cores is its ceiling; Redis too. Event-loop delay has no
 * absolute ceiling, so it is judged against its own low-load baseline. The generator's limits are the engine's
 * saturation rule (CPU ≥ 90 % of a core or event-loop lag p99 ≥ 50 ms), the same as its run warning.
 */
export const DEFAULT_SATURATION_RULES: readonly SaturationRule[] = [
  { name: 'process_cpu_cores', atLeast: 0.9, what: 'CPU of a single-threaded Node process (cores)' },
  { name: 'nodejs_eventloop_lag_p99_seconds', growth: 3, atLeast: 0.02, what: 'event-loop delay p99 (s)' },
  { name: 'pg_pool_waiting_requests', atLeast: 1, what: 'queries waiting for a Postgres connection' },
  { name: 'redis_cpu_cores', atLeast: 0.9, what: 'CPU of Redis, single-threaded (cores)' },
  {
    name: 'swarm_cpu_cores',
    atLeast: CPU_WARN_PERCENT / 100,
    generator: true,
    what: 'CPU of the load generator (cores)',
  },
  {
    name: 'swarm_eventloop_lag_p99_seconds',
    atLeast: LAG_WARN_MS / 1000,
    generator: true,
    what: 'event-loop lag p99 of the load generator (s)',
  },
];

export interface AttributionOptions {
  /** Default `DEFAULT_SATURATION_RULES`; the first rule that matches a series judges it. */
  rules?: readonly SaturationRule[];
  /** Epoch seconds [from, to) of the low-load baseline; default the first `baselineSeconds` of each series. */
  baseline?: { from: number; to: number };
  /** Default 10. */
  baselineSeconds?: number;
  /** Ignore points after this epoch second, e.g. a few seconds past the SLO's break; default none. */
  until?: number;
  /** Consecutive points at or over the limit that make a crossing (one spike does not); default 2. */
  sustain?: number;
  /** Epoch second the note counts "+N s" from, e.g. the run's start; default the earliest point given. */
  startT?: number;
}

export interface SaturationCrossing {
  /** `name{label="value",...}`. */
  series: string;
  what: string;
  generator: boolean;
  /** Epoch second of the first point of the sustained run over the limit, and its value. */
  t: number;
  value: number;
  limit: number;
  /** The baseline a growth rule measured against; null for an absolute rule. */
  baseline: number | null;
}

export interface SaturationAttribution {
  /** The earliest crossing; at a tie the generator's, so a saturated generator is never taken for a slow stack. */
  first: SaturationCrossing | null;
  /** `generator`: the generator saturated first (or with the stack), and the run measured it, not the stack. */
  verdict: 'stack' | 'generator' | 'none';
  /** Each series' first crossing, earliest first. */
  crossings: SaturationCrossing[];
  /** Series no rule matched, or whose growth rule had no baseline points. */
  unjudged: string[];
  note: string;
}

/** `name{k="v",...}` with labels sorted, as Prometheus prints a series. */
export function seriesId(s: Pick<ServerSeries, 'name' | 'labels'>): string {
  const labels = Object.keys(s.labels)
    .sort()
    .map((k) => `${k}="${s.labels[k]}"`);
  return labels.length === 0 ? s.name : `${s.name}{${labels.join(',')}}`;
}

function matches(rule: SaturationRule, s: ServerSeries): boolean {
  if (rule.name !== s.name) return false;
  return Object.entries(rule.labels ?? {}).every(([k, v]) => s.labels[k] === v);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The limit a rule sets for one series, or null when a growth rule has no baseline to grow from. */
function limitOf(
  rule: SaturationRule,
  s: ServerSeries,
  o: AttributionOptions,
): [number, number | null] | null {
  if (rule.growth === undefined) return [rule.atLeast!, null];
  const t0 = s.points[0]?.[0] ?? 0;
  const from = o.baseline?.from ?? t0;
  const to = o.baseline?.to ?? t0 + (o.baselineSeconds ?? 10);
  const base = s.points.filter(([t, v]) => t >= from && t < to && Number.isFinite(v)).map(([, v]) => v);
  if (base.length === 0) return null;
  const baseline = median(base);
  return [Math.max(rule.growth * baseline, rule.atLeast ?? 0), baseline];
}

function firstSustained(
  points: ServerSeries['points'],
  limit: number,
  sustain: number,
  until: number,
): [number, number] | null {
  let run = 0;
  for (let i = 0; i < points.length; i++) {
    const [t, v] = points[i]!;
    if (t > until) break;
    run = v >= limit ? run + 1 : 0;
    if (run === sustain) return points[i - sustain + 1]!;
  }
  return null;
}

const fmtValue = (v: number) =>
  Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));

function noteOf(first: SaturationCrossing | null, crossings: SaturationCrossing[], t0: number): string {
  if (first === null) return 'no resource saturated: none of the judged series crossed its limit';
  const at = (c: SaturationCrossing) =>
    `${c.series} ${fmtValue(c.value)} ≥ ${fmtValue(c.limit)} at +${c.t - t0} s (${c.what})`;
  if (first.generator) {
    return (
      `the load generator saturated first: ${at(first)}; the rate measured is the generator's, not the stack's ` +
      '— add processes or machines to the generator and run again'
    );
  }
  const gen = crossings.find((c) => c.generator);
  const later = gen === undefined ? '' : `; the generator saturated too, ${gen.t - first.t} s later`;
  return `first to saturate: ${at(first)}${later}`;
}

/**
 * Which resource saturated first (pure). Each series is judged by the first rule that matches it: its crossing is
 * the first of `sustain` consecutive points at or over the rule's limit. The earliest crossing wins; at a tie the
 * generator's. Points are read in time order, `until` bounds them (judge up to the knee or the break).
 *
 * @example
 * attributeSaturation(
 *   [{ name: 'process_cpu_cores', labels: { instance: 'app1' }, points: [[t0, 0.3], [t0 + 1, 0.95], [t0 + 2, 0.97]] }],
 *   { until: result.break?.t },
 * ).first?.series; // 'process_cpu_cores{instance="app1"}'
 */
export function attributeSaturation(
  series: readonly ServerSeries[],
  options: AttributionOptions = {},
): SaturationAttribution {
  const rules = options.rules ?? DEFAULT_SATURATION_RULES;
  for (const r of rules) {
    if (r.atLeast === undefined && r.growth === undefined) {
      throw new Error(`saturation rule for ${r.name} needs atLeast or growth`);
    }
  }
  const sustain = options.sustain ?? 2;
  if (!(Number.isInteger(sustain) && sustain >= 1)) {
    throw new Error(`sustain must be a whole number ≥ 1, got ${sustain}`);
  }
  const until = options.until ?? Number.POSITIVE_INFINITY;
  const crossings: SaturationCrossing[] = [];
  const unjudged: string[] = [];
  for (const s of series) {
    const rule = rules.find((r) => matches(r, s));
    const limit = rule && limitOf(rule, s, options);
    if (!rule || !limit) {
      unjudged.push(seriesId(s));
      continue;
    }
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    const hit = firstSustained(points, limit[0], sustain, until);
    if (hit === null) continue;
    crossings.push({
      series: seriesId(s),
      what: rule.what,
      generator: rule.generator === true,
      t: hit[0],
      value: hit[1],
      limit: limit[0],
      baseline: limit[1],
    });
  }
  crossings.sort((a, b) => a.t - b.t || Number(b.generator) - Number(a.generator));
  const first = crossings[0] ?? null;
  const t0 =
    options.startT ??
    series.reduce((m, s) => s.points.reduce((n, [t]) => Math.min(n, t), m), Number.POSITIVE_INFINITY);
  return {
    first,
    verdict: first === null ? 'none' : first.generator ? 'generator' : 'stack',
    crossings,
    unjudged,
    note: noteOf(first, crossings, t0),
  };
}

/**
 * The engine's own CPU (cores) and event-loop lag p99 (seconds) from a summary's time series, as series the
 * default rules judge (`swarm_cpu_cores`, `swarm_eventloop_lag_p99_seconds`). Seconds without a sample are left
 * out.
 *
 * @example
 * attributeSaturation([...serverSeries, ...generatorSeries(summary.timeSeries)]);
 */
export function generatorSeries(points: readonly TimePoint[]): ServerSeries[] {
  const cpu: ServerSeries = { name: 'swarm_cpu_cores', labels: {}, points: [] };
  const lag: ServerSeries = { name: 'swarm_eventloop_lag_p99_seconds', labels: {}, points: [] };
  for (const p of points) {
    if (p.engineCpuPercent !== undefined) cpu.points.push([p.t, p.engineCpuPercent / 100]);
    if (p.eventLoopLagMs !== undefined) lag.points.push([p.t, p.eventLoopLagMs / 1000]);
  }
  return [cpu, lag];
}
