import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MonitorSummary } from '../stats/summary-types';

/** Above these, the generator rather than the target was probably the bottleneck. */
const CPU_WARN_PERCENT = 90;
const LAG_WARN_MS = 50;

/**
 * Verdict on the engine's own health (pure): a warning when its CPU or event-loop lag says the load generator,
 * not the target, limited the run.
 *
 * @example
 * judgeMonitor(97, 12, 40).warning; // 'the load generator was saturated ...'
 */
export function judgeMonitor(
  cpuPercent: number,
  lagP99Ms: number,
  lagMaxMs: number,
  maxRssMb = 0,
): MonitorSummary {
  const saturated = cpuPercent >= CPU_WARN_PERCENT || lagP99Ms >= LAG_WARN_MS;
  return {
    cpuPercent: Math.round(cpuPercent * 10) / 10,
    eventLoopLagP99Ms: Math.round(lagP99Ms * 100) / 100,
    eventLoopLagMaxMs: Math.round(lagMaxMs * 100) / 100,
    maxRssMb: Math.round(maxRssMb),
    warning: saturated
      ? `the load generator was saturated (CPU ${Math.round(cpuPercent)}% of a core, event-loop lag p99 ` +
        `${Math.round(lagP99Ms)} ms): the results understate the target; add --processes or machines`
      : null,
  };
}

/**
 * Watches this process while a run lasts: CPU time and event-loop delay (sampled by Node every 10 ms).
 *
 * @example
 * const m = startEngineMonitor(); ...; const summary = m.stop();
 */
export function startEngineMonitor(): { stop(): MonitorSummary } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      histogram.disable();
      const cpu = process.cpuUsage(cpu0);
      const elapsedUs = (performance.now() - t0) * 1000;
      const cpuPercent = elapsedUs > 0 ? ((cpu.user + cpu.system) / elapsedUs) * 100 : 0;
      // The histogram includes the 10 ms sampling resolution itself; subtract it to report the lag.
      const lagP99 = Math.max(0, histogram.percentile(99) / 1e6 - 10);
      const lagMax = Math.max(0, histogram.max / 1e6 - 10);
      const maxRssMb = process.resourceUsage().maxRSS / 1024;
      return judgeMonitor(
        cpuPercent,
        histogram.count === 0 ? 0 : lagP99,
        histogram.count === 0 ? 0 : lagMax,
        maxRssMb,
      );
    },
  };
}
