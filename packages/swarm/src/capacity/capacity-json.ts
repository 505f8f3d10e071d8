import type { SaturationAttribution } from './attribution';
import type { Knee, KneeOptions, KneeResult, SloBreak } from './knee';
import type { Slo } from './slo';

/** The schema of the file a breakpoint run writes; a change of a field is a new version. */
export const CAPACITY_SCHEMA = 'swarm.capacity/v1';

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
