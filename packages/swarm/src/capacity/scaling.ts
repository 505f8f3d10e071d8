import type { CapacityJson } from './capacity-json';
import type { Slo } from './slo';
import { type CapacityPoint, fitUsl, type ScalingAtN } from './usl';

/** The schema of `scaling.json`; a change of a field is a new version. */
export const SCALING_SCHEMA = 'swarm.scaling/v1';

/** Fewer measured knees than this: no USL fit (three parameters; two points fit any curve of two). */
export const MIN_FIT_POINTS = 3;

/** One breakpoint run of a scaling run, as the orchestrator found it. */
export interface ScalingStepInput {
  /** Replicas (nodes, processes) the run had. */
  n: number;
  /** Its `capacity.json`; null when the run wrote none (it failed, or was interrupted). */
  capacity: CapacityJson | null;
  /** Its report folder, relative to scaling.json (e.g. `replicas-2`): the HTML links to `<dir>/report.html`. */
  dir: string;
  /** The run's exit code. */
  exitCode: number;
}

/** A step of `scaling.json`: the knee at `n` replicas and what saturated first there. */
export interface ScalingStep {
  n: number;
  dir: string;
  exitCode: number;
  /** The run wrote its capacity.json. */
  written: boolean;
  /** The SLO broke in the run: `capacity` is the knee. False: it is only a lower bound (or there is none). */
  reached: boolean;
  /** The knee's rate, req/s; null without capacity.json or when no rate was held. */
  capacity: number | null;
  /** The knee's latency percentile, ms. */
  latencyMs: number | null;
  /** capacity(n) / (n × capacity(1)); null without both. */
  efficiency: number | null;
  /** In the USL fit. */
  fitted: boolean;
  /** The first resource to saturate (a Prometheus series id), what it is, and whether it is the generator's. */
  saturated: { series: string; what: string; generator: boolean } | null;
  /** `none`: no judged series crossed its limit; null: no saturation data. */
  verdict: 'stack' | 'generator' | 'none' | null;
  /** The attribution's sentence, or why there is none. */
  saturationNote: string;
  /** The breakpoint run's own note (knee, break, or why not reached). */
  note: string;
}

/** The USL fit as JSON holds it: Infinity (no peak) is null. */
export interface UslFitJson {
  lambda: number;
  sigma: number;
  kappa: number;
  r2: number;
  parameters: number;
  exact: boolean;
  kappaFixed: boolean;
  /** null: no peak (κ = 0 and σ < 1), capacity rises for ever. */
  peakN: number | null;
  /** C(peakN), or without a peak the ceiling λ/σ; null when that is unbounded too (σ = κ = 0). */
  peakCapacity: number | null;
  perN: ScalingAtN[];
  note: string;
}

/** `scaling.json`: the breakpoint run at each replica count, the efficiency, the USL fit and what it means. */
export interface ScalingJson {
  schema: typeof SCALING_SCHEMA;
  model: 'usl';
  /** CPU cores of the machine that ran it (every part of the stack and the generator shared them); null if unknown. */
  cores: number | null;
  /** The SLO of the first step that has one. */
  slo: Slo | null;
  steps: ScalingStep[];
  /** The points fitted: steps whose SLO broke with a knee held. */
  measurements: CapacityPoint[];
  fit: UslFitJson | null;
  /** Why there is no fit; null when there is one. */
  fitOmitted: string | null;
  /** Sentences for a reader: what the steps show and why. */
  notes: string[];
}

export interface ScalingOptions {
  /** The machine's CPU cores, for the explanation of negative scaling. */
  cores?: number;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const round = (x: number) => Math.round(x);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function stepOf(s: ScalingStepInput): Omit<ScalingStep, 'efficiency' | 'fitted'> {
  const c = s.capacity;
  if (c === null) {
    return {
      n: s.n,
      dir: s.dir,
      exitCode: s.exitCode,
      written: false,
      reached: false,
      capacity: null,
      latencyMs: null,
      saturated: null,
      verdict: null,
      saturationNote: 'no capacity.json',
      note: `the run wrote no capacity.json (exit ${s.exitCode})`,
    };
  }
  const first = c.saturation?.first ?? null;
  return {
    n: s.n,
    dir: s.dir,
    exitCode: s.exitCode,
    written: true,
    reached: c.reached,
    capacity: c.knee && c.knee.rps > 0 ? c.knee.rps : null,
    latencyMs: c.knee?.latencyMs ?? null,
    saturated: first && { series: first.series, what: first.what, generator: first.generator },
    verdict: c.saturation?.verdict ?? null,
    saturationNote: c.saturation?.note ?? 'no saturation data (no server series)',
    note: c.note,
  };
}

function fitJson(points: CapacityPoint[]): UslFitJson {
  const f = fitUsl(points);
  return {
    lambda: f.lambda,
    sigma: f.sigma,
    kappa: f.kappa,
    r2: f.r2,
    parameters: f.parameters,
    exact: f.exact,
    kappaFixed: f.kappaFixed,
    peakN: finite(f.peakN),
    peakCapacity: finite(f.peakCapacity),
    perN: f.perN,
    note: f.note,
  };
}

/** What saturated at a step, in words for a note. */
function saturationWords(s: ScalingStep): string {
  if (s.saturated) return `${s.saturated.what}, ${s.saturated.series}`;
  if (s.verdict === 'none') return 'no single process reached its own limit';
  return 'unknown (no saturation data)';
}

function notesOf(steps: ScalingStep[], cores: number | null): string[] {
  const notes: string[] = [];
  for (const s of steps) {
    if (!s.written) {
      notes.push(`N = ${s.n}: ${s.note}; left out of the fit`);
    } else if (s.capacity === null) {
      notes.push(`N = ${s.n}: no rate held within the SLO (${s.note}); left out of the fit`);
    } else if (!s.reached) {
      notes.push(
        `N = ${s.n}: knee not reached — the SLO held up to the ramp's top, so ${round(s.capacity)} req/s is only a ` +
          "lower bound, left out of the fit; raise the ramp's top rate (RATE)",
      );
    }
    if (s.verdict === 'generator') {
      notes.push(
        `N = ${s.n}: the load generator saturated first: this step measured the generator, not the stack`,
      );
    }
  }
  // Only knees reached compare: a lower bound says nothing of whether capacity rose or fell.
  const one = steps.find((s) => s.n === 1 && s.fitted);
  const measured = steps.filter((s) => s.fitted && s.n > 1);
  if (one && measured.length > 0) {
    const last = measured.at(-1)!;
    const falls = measured.filter((s) => s.capacity! < one.capacity!);
    if (falls.length > 0) {
      const where = cores === null ? 'this machine’s CPU cores' : `this machine’s ${cores} CPU cores`;
      notes.push(
        `capacity falls as replicas are added (N = 1: ${round(one.capacity!)} req/s; ` +
          `${falls.map((s) => `N = ${s.n}: ${round(s.capacity!)} req/s, efficiency ${pct(s.efficiency!)}`).join('; ')}). ` +
          `Every replica, the gateway, Redis, Postgres and the load generator share ${where}: a replica adds ` +
          'processes that compete for them, not capacity, and each request also pays the gateway and more ' +
          'context switches. Scaling out helps only when replicas get cores (or machines) of their own.',
      );
      notes.push(
        `what saturated first: ${steps
          .filter((s) => s.capacity !== null)
          .map((s) => `N = ${s.n}: ${saturationWords(s)}`)
          .join('; ')}` +
          (measured.some((s) => s.verdict === 'none' || (s.saturated !== null && !s.saturated.generator))
            ? ' — with more replicas each gets a smaller share of the same cores, so the shared CPU gives out ' +
              'before any one process reaches its own ceiling'
            : ''),
      );
    } else if (last.capacity! > one.capacity!) {
      notes.push(
        `capacity rises with replicas: ${round(last.capacity!)} req/s at N = ${last.n}, efficiency ` +
          `${pct(last.efficiency!)} of linear`,
      );
    } else {
      notes.push(`capacity does not rise with replicas: ${round(last.capacity!)} req/s at N = ${last.n}`);
    }
  }
  return notes;
}

/**
 * The result of a scaling run (pure): from the breakpoint runs at 1, 2, … N replicas (their capacity.json), each
 * step's knee, efficiency capacity(n) / (n × capacity(1)) and first saturated resource, the Universal Scalability
 * Law fitted to the steps whose SLO broke with a knee held (a step that did not reach its knee is a lower bound and
 * is left out; with fewer than `MIN_FIT_POINTS` such steps the fit is omitted and `fitOmitted` says why), and
 * notes that explain it — negative scaling with the machine's cores and what saturated at each step.
 *
 * @example
 * writeFileSync('scaling.json', JSON.stringify(scalingJson(steps, { cores: availableParallelism() }), null, 2));
 */
export function scalingJson(inputs: readonly ScalingStepInput[], options: ScalingOptions = {}): ScalingJson {
  const sorted = [...inputs].sort((a, b) => a.n - b.n);
  const base = sorted.map(stepOf);
  const one = base.find((s) => s.n === 1)?.capacity ?? null;
  const fittable = (s: (typeof base)[number]) => s.reached && s.capacity !== null;
  const steps: ScalingStep[] = base.map((s) => ({
    ...s,
    efficiency: one !== null && s.capacity !== null ? s.capacity / (s.n * one) : null,
    fitted: fittable(s),
  }));
  const measurements = steps.filter((s) => s.fitted).map((s) => ({ n: s.n, capacity: s.capacity! }));
  const distinct = new Set(measurements.map((p) => p.n)).size;
  const fit = distinct >= MIN_FIT_POINTS ? fitJson(measurements) : null;
  const fitOmitted =
    fit === null
      ? `no USL fit: ${distinct} replica count${distinct === 1 ? '' : 's'} with a knee reached, ${MIN_FIT_POINTS} ` +
        'needed (σ, κ and λ are three unknowns)'
      : null;
  const cores = options.cores ?? null;
  return {
    schema: SCALING_SCHEMA,
    model: 'usl',
    cores,
    slo: sorted.find((s) => s.capacity !== null)?.capacity?.slo ?? null,
    steps,
    measurements,
    fit,
    fitOmitted,
    notes: notesOf(steps, cores),
  };
}
