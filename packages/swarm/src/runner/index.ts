export { classCounts, spawnOrder, type WeightedClass } from './apportion';
export { ArrivalRunner } from './arrival-runner';
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
export { LocalRunner } from './local-runner';
export { runSwarm } from './run';
export type { LiveControl, RunOptions } from './run-options';
export { formatSegment, ownedCount, owns, parseSegment, type Segment, WHOLE } from './segment';
