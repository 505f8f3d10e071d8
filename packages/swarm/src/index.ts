export * from './capacity/index';
export type { ScenarioOptions } from './cli/scenario';
export type { RequestOptions } from './client/http-client';
export { HttpClient } from './client/http-client';
export { Response } from './client/response';
export { type CompareOptions, type Comparison, compareSummaries } from './compare/index';
export type { Environment, RunnerControl } from './environment';
export { Events, type RequestEvent } from './events/index';
export { renderConsole, renderCsv, renderHtmlReport, renderJson, renderJunit } from './report/index';
export {
  classCounts,
  type LiveControl,
  LoadShape,
  parseDuration,
  RunConfigError,
  type RunOptions,
  rateStages,
  runSwarm,
  type ShapeTarget,
  type Stage,
  stages,
  stopCause,
} from './runner/index';
export type {
  AnnotateContext,
  ScenarioLifecycle,
  SetupContext,
  TeardownContext,
  TeardownResult,
} from './runner/lifecycle';
export {
  type AnnotateOptions,
  type Annotation,
  computeRecovery,
  type MetricsRecorder,
  mergeSummaries,
  type RecoveryEntry,
  type RecoveryOptions,
  type ReportSection,
  type StopReason,
  type StopSummary,
  type Summary,
} from './stats/index';
export { evaluateThresholds, parseThreshold } from './thresholds/index';
export {
  between,
  constant,
  constantPacing,
  constantThroughput,
  HttpUser,
  InterruptTaskSet,
  SequentialTaskSet,
  StopUser,
  TaskSet,
  tag,
  task,
  User,
  type WaitTime,
} from './user/index';
