export { classCounts, DeficitSequence, SpawnSequence, spawnOrder, type WeightedClass } from './apportion';
export { ArrivalRunner } from './arrival-runner';
export { ClosedRunner } from './closed-runner';
export { parseDuration } from './duration';
export {
  isRateTarget,
  LoadShape,
  type RateTarget,
  rateStages,
  type ShapeTarget,
  type Stage,
  stages,
  type UserTarget,
} from './load-shape';
export { runSwarm } from './run';
export type { LiveControl, RunOptions } from './run-options';
export { planRun, RunConfigError, resolveKinds } from './run-plan';
export {
  formatSegment,
  ownedCount,
  parseSegment,
  type Segment,
  SegmentDealer,
  WHOLE,
} from './segment';
export { SpawnPlan, segmentClassCounts, segmentUserCount } from './spawn-plan';
export { stopCause } from './stop';
