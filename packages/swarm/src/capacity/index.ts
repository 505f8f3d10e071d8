export { type AbortDecision, shouldAbort } from './abort';
export {
  type AttributionOptions,
  attributeSaturation,
  DEFAULT_SATURATION_RULES,
  generatorSeries,
  type SaturationAttribution,
  type SaturationCrossing,
  type SaturationRule,
  type ServerSeries,
  seriesId,
} from './attribution';
export { renderCapacityConsole, renderUslConsole } from './capacity-console';
export { CAPACITY_SCHEMA, type CapacityJson, capacityJson } from './capacity-json';
export {
  describeBreach,
  findKnee,
  KNEE_DEFAULTS,
  type Knee,
  type KneeOptions,
  type KneeResult,
  type SloBreak,
} from './knee';
export {
  type LoadSecond,
  type LoadSeries,
  type LoadSeriesOptions,
  loadSeriesFromTimeSeries,
} from './load-series';
export {
  MIN_FIT_POINTS,
  SCALING_SCHEMA,
  type ScalingJson,
  type ScalingOptions,
  type ScalingStep,
  type ScalingStepInput,
  scalingJson,
  type UslFitJson,
} from './scaling';
export { renderScalingConsole } from './scaling-console';
export { renderScalingHtml } from './scaling-html';
export {
  type Breach,
  type BreachKind,
  judgeSecond,
  resolveSlo,
  type SecondVerdict,
  SLO_DEFAULTS,
  type Slo,
  type SloInput,
  sloFromThresholds,
} from './slo';
export { type CapacityPoint, fitUsl, type ScalingAtN, type UslFit, type UslParams, uslCapacity } from './usl';
