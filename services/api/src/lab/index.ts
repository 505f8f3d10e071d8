export {
  createDownstreamClient,
  type DownstreamClient,
  type DownstreamClientOptions,
} from './downstream-client';
export { type LagMonitorOptions, LagState, startLagMonitor } from './lag-monitor';
export { createMemoryGuard, guardLimitBytes, type MemoryGuardOptions } from './memory-guard';
export { BREAKER_STATE_VALUE, createProtectionMetrics } from './metrics';
export { createProtection, type Protection } from './protection';
export { LAB_LIMITS, labRoutes } from './routes';
export { type ShedOptions, shed } from './shed';
