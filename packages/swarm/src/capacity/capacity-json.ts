import type { SaturationAttribution } from './attribution';
import type { Knee, KneeOptions, KneeResult, SloBreak } from './knee';
import type { Slo } from './slo';
import type { CapacityPoint, ScalingAtN, UslFit } from './usl';

/** Schemas of the files a breakpoint and a scaling run write; a change of a field is a new version. */
export const CAPACITY_SCHEMA = 'swarm.capacity/v1';
export const SCALING_SCHEMA = 'swarm.scaling/v1';

/** `capacity.json`: the knee of one breakpoint run and what saturated there. */
export interface CapacityJson {
  schema: typeof CAPACITY_SCHEMA;
  slo: Slo;
  options: Required<KneeOptions>;
  /** Whether rates are the offered ones (open model) or the achieved ones. */
  rateBasis: 'offered' | 'achieved';
  /** Epoch second of the run's first point; null without data. */
  startT: number | null;
  /** The SLO broke for good within the run; false means the knee is above `highestRps`. */
  reached: boolean;
  knee: Knee | null;
  break: SloBreak | null;
  highestRps: number | null;
  noisySeconds: number;
  trailingSeconds: number;
  note: string;
  /** Absent when no server-side series were given. */
  saturation: SaturationAttribution | null;
}

/** `scaling.json`: capacities at several N and the Universal Scalability Law fitted to them. */
export interface ScalingJson {
  schema: typeof SCALING_SCHEMA;
  model: 'usl';
  measurements: CapacityPoint[];
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

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The `capacity.json` content of a breakpoint run (pure).
 *
 * @example
 * JSON.stringify(capacityJson(findKnee(series, slo), attributeSaturation(server, { until })), null, 2);
 */
export function capacityJson(r: KneeResult, saturation: SaturationAttribution | null = null): CapacityJson {
  return {
    schema: CAPACITY_SCHEMA,
    slo: r.slo,
    options: r.options,
    rateBasis: r.rateBasis,
    startT: r.startT,
    reached: r.break !== null,
    knee: r.knee,
    break: r.break,
    highestRps: r.highestRps,
    noisySeconds: r.noisy,
    trailingSeconds: r.trailing,
    note: r.note,
    saturation,
  };
}

/**
 * The `scaling.json` content of a scaling run (pure); Infinity, which JSON cannot hold, becomes null.
 *
 * @example
 * JSON.stringify(scalingJson(points, fitUsl(points)), null, 2);
 */
export function scalingJson(measurements: readonly CapacityPoint[], fit: UslFit): ScalingJson {
  return {
    schema: SCALING_SCHEMA,
    model: 'usl',
    measurements: measurements.map((p) => ({ n: p.n, capacity: p.capacity })),
    lambda: fit.lambda,
    sigma: fit.sigma,
    kappa: fit.kappa,
    r2: fit.r2,
    parameters: fit.parameters,
    exact: fit.exact,
    kappaFixed: fit.kappaFixed,
    peakN: finite(fit.peakN),
    peakCapacity: finite(fit.peakCapacity),
    perN: fit.perN,
    note: fit.note,
  };
}
