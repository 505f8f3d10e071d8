export {
  COMPARE_DEFAULTS,
  type CompareOptions,
  type Comparison,
  compareSummaries,
  type EntryComparison,
  METRICS,
  type MetricDelta,
  type MetricName,
} from './compare';
