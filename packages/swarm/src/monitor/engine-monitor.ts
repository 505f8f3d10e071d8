import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MonitorSummary } from '../stats/summary-types';
import { isSaturated } from './saturation';

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
  const saturated = isSaturated(cpuPercent, lagP99Ms);
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

/** The engine over one interval, for the per-second time series. */
export interface EngineSample {
  /** CPU of this process over the interval, percent of one core. */
  cpuPercent: number;
  /** Event-loop lag p99 over the interval, ms. */
  lagMs: number;
  /** Epoch ms of the interval's middle: the second it is recorded under. */
  midMs: number;
}

/** Node's delay histogram includes its 10 ms sampling resolution; subtracting it leaves the lag. */
const RESOLUTION_MS = 10;

function lagOf(h: ReturnType<typeof monitorEventLoopDelay>, pick: 'p99' | 'max'): number {
  if (h.count === 0) return 0;
  const ns = pick === 'p99' ? h.percentile(99) : h.max;
  return Math.max(0, ns / 1e6 - RESOLUTION_MS);
}

/**
 * Watches this process while a run lasts: CPU time and event-loop delay (sampled by Node every 10 ms), over the
 * whole run (`stop`) and per interval (`sample`, called once a second by the runner for the time series).
 *
 * @example
 * const m = startEngineMonitor(); ...; stats.recordEngine(m.sample()); ...; const summary = m.stop();
 */
export function startEngineMonitor(): { sample(): EngineSample; stop(): MonitorSummary } {
  const whole = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const interval = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  whole.enable();
  interval.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastCpu = cpu0;
  let lastAt = t0;
  const cpuPercentSince = (cpu: NodeJS.CpuUsage, elapsedMs: number) =>
    elapsedMs > 0 ? ((cpu.user + cpu.system) / (elapsedMs * 1000)) * 100 : 0;
  return {
    sample() {
      const now = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      const elapsedMs = now - lastAt;
      const s: EngineSample = {
        cpuPercent: Math.round(cpuPercentSince(cpu, elapsedMs) * 10) / 10,
        lagMs: Math.round(lagOf(interval, 'p99') * 100) / 100,
        midMs: Date.now() - elapsedMs / 2,
      };
      interval.reset();
      lastCpu = process.cpuUsage();
      lastAt = now;
      return s;
    },
    stop() {
      whole.disable();
      interval.disable();
      const cpuPercent = cpuPercentSince(process.cpuUsage(cpu0), performance.now() - t0);
      const maxRssMb = process.resourceUsage().maxRSS / 1024;
      return judgeMonitor(cpuPercent, lagOf(whole, 'p99'), lagOf(whole, 'max'), maxRssMb);
    },
  };
}
