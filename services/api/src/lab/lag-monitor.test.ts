import { describe, expect, it } from 'vitest';
import { LagState } from './lag-monitor';

describe('LagState', () => {
  it('measures how late each tick ran', () => {
    const s = new LagState(0, { thresholdMs: 100, intervalMs: 20 });
    s.tick(20);
    expect(s.lagMs).toBe(0);
    s.tick(95); // due at 40
    expect(s.lagMs).toBe(55);
    expect(s.overloaded).toBe(false);
  });

  /** Ticks on time every `step` ms from `from` to `to`. */
  const onTime = (s: LagState, from: number, to: number, step: number) => {
    for (let t = from; t <= to; t += step) s.tick(t);
  };

  it('turns overloaded past the threshold and stays so for holdMs after the last late tick', () => {
    const s = new LagState(0, { thresholdMs: 100, intervalMs: 20, holdMs: 500 });
    s.tick(2020); // due at 20: blocked for 2 s
    expect(s.overloaded).toBe(true);
    expect(s.lagMs).toBe(2000);
    onTime(s, 2040, 2500, 20);
    expect(s.lagMs).toBe(0);
    expect(s.overloaded).toBe(true); // the requests queued during the block still find it overloaded
    s.tick(2520); // 500 ms after the late tick
    expect(s.overloaded).toBe(false);
    expect(s.episodes).toBe(1);
  });

  it('counts each overloaded episode once', () => {
    const s = new LagState(0, { thresholdMs: 50, intervalMs: 10, holdMs: 100 });
    s.tick(200);
    s.tick(400); // late again while overloaded: the same episode
    onTime(s, 410, 500, 10);
    expect(s.overloaded).toBe(false);
    s.tick(700);
    expect(s.overloaded).toBe(true);
    expect(s.episodes).toBe(2);
  });
});
