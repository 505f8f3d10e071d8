import { describe, expect, it } from 'vitest';
import { judgeMonitor } from './engine-monitor';

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
