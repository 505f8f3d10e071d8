export { evaluateThresholds, hitRatio, instanceSkew, metricValue } from './evaluate';
export { type Metric, type Operator, parseThreshold, THRESHOLD_HELP, type Threshold } from './parse';
