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

  it('sees the loop busy while the due tick has not run yet (within one busy turn)', () => {
    const s = new LagState(0, { thresholdMs: 50, intervalMs: 20 });
    s.tick(20); // next due at 40
    expect(s.overloadedAt(60)).toBe(false); // 40 ms since the last tick
    expect(s.overloadedAt(70)).toBe(false); // exactly the threshold
    expect(s.overloadedAt(71)).toBe(true); // the loop away 51 ms: shed now, before the tick reports it
    expect(s.overloaded).toBe(false); // nothing recorded until the tick runs
    s.tick(91); // 51 ms late
    expect(s.overloaded).toBe(true);
    expect(s.overloadedAt(92)).toBe(true);
  });

  it('bounds the work one busy turn accepts by the threshold plus one request', () => {
    // 20 ms requests read back to back in one turn that began 5 ms after a tick (threshold 25 ms):
    // the first (at 5) and second (at 25) run, the third (at 45) is shed: /health behind them waits ~45 ms, not 65
    const s = new LagState(0, { thresholdMs: 25, intervalMs: 10 });
    const accepted: number[] = [];
    for (let now = 5; now < 200; ) {
      if (s.overloadedAt(now)) break;
      accepted.push(now);
      now += 20;
    }
    expect(accepted).toEqual([5, 25]);
  });

  it('judges work shed later (a factor) against a threshold that many times higher', () => {
    const s = new LagState(0, { thresholdMs: 25, intervalMs: 10 });
    s.tick(10);
    s.tick(70); // due at 20: 50 ms late, held overloaded for 50 ms
    expect(s.overloadedAt(71)).toBe(true);
    expect(s.overloadedAt(71, 4)).toBe(false); // 50 ms late is under 4 x 25
    expect(s.overloadedAt(171, 4)).toBe(true); // the loop away 101 ms now
    s.tick(250); // due at 80: 170 ms late
    expect(s.overloadedAt(251, 4)).toBe(true);
  });

  it('samples every 10 ms, or half a smaller threshold', () => {
    const late = (thresholdMs: number, at: number) => {
      const s = new LagState(0, { thresholdMs });
      s.tick(at);
      return s.lagMs;
    };
    expect(late(25, 40)).toBe(30); // due at 10
    expect(late(8, 40)).toBe(36); // due at 4
  });

  it('stays overloaded after a short late tick only as long as the loop was late', () => {
    const s = new LagState(0, { thresholdMs: 25, intervalMs: 20, holdMs: 1000 });
    s.tick(20);
    s.tick(80); // due at 40: 40 ms late (a garbage collection), shed until 120
    expect(s.overloaded).toBe(true);
    s.tick(100);
    expect(s.overloaded).toBe(true);
    s.tick(120);
    expect(s.overloaded).toBe(false);
  });
});
