import { describe, expect, it } from 'vitest';
import { judgeMonitor, startEngineMonitor } from './engine-monitor';

describe('judgeMonitor', () => {
  it('warns when the generator burns a core', () => {
    expect(judgeMonitor(97, 3, 8).warning).toMatch(/saturated \(CPU 97% of a core/);
  });

  it('warns on event-loop lag', () => {
    expect(judgeMonitor(20, 80, 120).warning).toMatch(/lag p99 80 ms/);
  });

  it('stays quiet for a healthy engine', () => {
    expect(judgeMonitor(35.04, 1.234, 4, 81.6)).toEqual({
      cpuPercent: 35,
      eventLoopLagP99Ms: 1.23,
      eventLoopLagMaxMs: 4,
      maxRssMb: 82,
      warning: null,
    });
  });
});

describe('startEngineMonitor', () => {
  it('samples the CPU and lag of each interval, dated at its middle', () => {
    const before = Date.now();
    const m = startEngineMonitor();
    // Burn CPU until the process clock has moved, so the interval cannot measure 0%.
    const cpu0 = process.cpuUsage();
    while (process.cpuUsage(cpu0).user < 5_000) {}
    const s = m.sample();
    const after = Date.now();
    expect(s.cpuPercent).toBeGreaterThan(0);
    expect(s.lagMs).toBeGreaterThanOrEqual(0);
    expect(s.midMs).toBeGreaterThanOrEqual(before);
    expect(s.midMs).toBeLessThanOrEqual(after);
    expect(m.stop().cpuPercent).toBeGreaterThan(0);
  });
});
