export { type MetricsServer, startMetricsServer } from './metrics-server';
export { type RangeWindow, rangeQuery, seriesFromMatrix } from './range-query';
export {
  DEFAULT_SERVER_QUERIES,
  resolveServerQueries,
  type ServerQueries,
  type ServerQuery,
} from './server-queries';
export { collectServerSeries, type ServerCollectOptions } from './server-series';
export { bucketCounts, createSwarmMetrics, LATENCY_BUCKETS_S, type MetricsSource } from './swarm-metrics';
