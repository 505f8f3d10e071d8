import { attributeSaturation, generatorSeries } from '../capacity/attribution';
import { renderCapacityConsole } from '../capacity/capacity-console';
import { type CapacityJson, capacityJson } from '../capacity/capacity-json';
import { findKnee } from '../capacity/knee';
import type { Slo } from '../capacity/slo';
import { loadSeriesOf } from '../runner/slo-abort';
import type { Summary } from '../stats/summary-types';

/** A run's capacity: `capacity.json`'s content and the console text. */
export interface RunCapacity {
  json: CapacityJson;
  text: string;
}

/**
 * The knee of a finished run by its SLO (pure): `findKnee` over the time series (offered rates from the open
 * model's record of each second, achieved ones otherwise), then what saturated first up to a few seconds past the
 * break: the servers' series (`summary.server`, with `--prometheus`) and always the generator's own CPU and lag,
 * so a saturated generator is never read as the stack's limit.
 *
 * @example
 * const { json, text } = runCapacity(summary, sloFromThresholds(['p(95)<200']));
 */
export function runCapacity(summary: Summary, slo: Slo): RunCapacity {
  const result = findKnee(loadSeriesOf(summary.timeSeries, slo.percentile), slo);
  const series = [...(summary.server?.series ?? []), ...generatorSeries(summary.timeSeries)];
  const saturation = attributeSaturation(series, {
    ...(result.break !== null && { until: result.break.t + result.options.breakSeconds }),
    ...(result.startT !== null && { startT: result.startT }),
  });
  return { json: capacityJson(result, saturation), text: renderCapacityConsole(result, saturation) };
}
