export { type AnnotateOptions, AnnotationLog, mergeAnnotations, parseAnnotationLine } from './annotations';
export { CustomMetrics, type MetricsRecorder, mergeMetrics } from './custom-metrics';
export { describeEntry, entryFromSummary } from './entry-summary';
export {
  createHistogram,
  decodeHistogram,
  type Extremes,
  encodeHistogram,
  percentileMs,
  rangeOf,
  recordMs,
} from './histogram';
export { RateWindow } from './rate-window';
export { computeRecovery, FAULT_KIND, type RecoveryOptions, withRecovery } from './recovery';
export { RequestStats } from './request-stats';
export { StatsEntry } from './stats-entry';
export { assertSummary, mergeServers, mergeSummaries, toSummary } from './summary';
export * from './summary-types';
export { mergeTimeSeries, TimeSeries } from './time-series';
export { memoUrlTemplate, urlTemplate } from './url-template';
