import { describe, expect, it } from 'vitest';
import { findKnee } from './knee';
import { hockeyStick, ramp, T0 } from './test-support';

const SLO = { latencyMs: 250 };

describe('findKnee', () => {
  it('finds the highest rate held for 5 s before p95 went over the SLO, and when and why it broke', () => {
    const r = findKnee(ramp(60, hockeyStick), SLO);
    // Seconds 41..45 run at 920..1000 req/s with p95 60..220 ms; second 46 (1020 req/s) has p95 260 ms.
    expect(r.knee).toEqual({
      rps: 920,
      from: T0 + 41,
      to: T0 + 45,
      achievedRps: 960,
      latencyMs: 140,
      failureRate: 0,
    });
    expect(r.break).toEqual({
      t: T0 + 46,
      elapsedS: 46,
      breaches: [{ kind: 'latency', value: 260, limit: 250 }],
      offeredRps: 1020,
      achievedRps: 1020,
      latencyMs: 260,
    });
    expect(r.rateBasis).toBe('offered');
    expect(r.highestRps).toBe(100 + 20 * 59);
    expect(r.note).toBe('knee at 920 req/s offered, held 5 s; the SLO broke at +46 s (p95 260 ms > 250 ms)');
  });

  it('forgives one noisy second inside a held window, and none when noisySeconds is 0', () => {
    const spike = ramp(60, (i, p) => (i === 43 ? { latencyMs: 900 } : hockeyStick(i, p)));
    const r = findKnee(spike, SLO);
    expect(r.knee?.rps).toBe(920);
    expect(r.noisy).toBe(1);
    expect(r.note).toContain('1 noisy second forgiven');
    // Without forgiveness the held window must end before second 43: 38..42.
    expect(findKnee(spike, SLO, { noisySeconds: 0 }).knee?.rps).toBe(860);
  });

  it('does not call a breach shorter than breakSeconds a break', () => {
    const r = findKnee(
      ramp(60, (i, p) => (i === 10 || i === 11 ? { latencyMs: 900 } : hockeyStick(i, p))),
      SLO,
    );
    expect(r.break?.t).toBe(T0 + 46);
    expect(r.noisy).toBe(2);
    // With breakSeconds 2 the same two seconds are the break: the knee is the last window before them, 5..9.
    const strict = findKnee(
      ramp(60, (i, p) => (i === 10 || i === 11 ? { latencyMs: 900 } : hockeyStick(i, p))),
      SLO,
      { breakSeconds: 2 },
    );
    expect(strict.break?.t).toBe(T0 + 10);
    expect(strict.knee).toMatchObject({ rps: 200, from: T0 + 5, to: T0 + 9 });
  });

  it('says "not reached" when the ramp ended before the SLO broke', () => {
    const r = findKnee(ramp(60), SLO);
    expect(r.break).toBeNull();
    expect(r.knee).toMatchObject({ rps: 100 + 20 * 55, to: T0 + 59 });
    expect(r.note).toMatch(/^not reached: the stack held the highest rate offered \(1280 req\/s\)/);
  });

  it('warns when a run that did not break ended on breached seconds', () => {
    const r = findKnee(
      ramp(60, (i) => (i >= 58 ? { latencyMs: 900 } : {})),
      SLO,
    );
    expect(r.break).toBeNull();
    expect(r.trailing).toBe(2);
    expect(r.noisy).toBe(0);
    expect(r.note).toContain('its last 2 s breached the SLO (fewer than 3)');
  });

  it('has no knee when the SLO broke before any window held, and says to start lower', () => {
    const r = findKnee(
      ramp(30, (i) => ({ latencyMs: i >= 2 ? 900 : 20 })),
      SLO,
    );
    expect(r.knee).toBeNull();
    expect(r.break?.elapsedS).toBe(2);
    expect(r.note).toContain('before any 5 s window held');
  });

  it('breaks on a throughput plateau: achieved more than 10% behind offered', () => {
    const r = findKnee(
      ramp(60, (_i, p) => ({ achievedRps: Math.min(p.offeredRps!, 1000) })),
      SLO,
    );
    // 1000 of 1120 offered is 10.7% behind (second 51); 1000 of 1100 is 9.1%, still within.
    expect(r.break?.t).toBe(T0 + 51);
    expect(r.break?.breaches.map((b) => b.kind)).toEqual(['plateau']);
    expect(r.break?.breaches[0]?.value).toBeCloseTo(120 / 1120, 9);
    expect(r.knee?.rps).toBe(1020);
  });

  it('breaks on failures and on dropped iterations, each named', () => {
    const failing = findKnee(
      ramp(60, (i, p) => (i >= 40 ? { failures: p.achievedRps * 0.02 } : {})),
      SLO,
    );
    expect(failing.break).toMatchObject({ t: T0 + 40, breaches: [{ kind: 'failures', limit: 0.01 }] });
    const dropping = findKnee(
      ramp(60, (i) => (i >= 30 ? { dropped: 5 } : {})),
      SLO,
    );
    expect(dropping.break).toMatchObject({ t: T0 + 30, breaches: [{ kind: 'dropped', value: 5 / 700 }] });
    expect(dropping.note).toContain('dropped 0.7% of iterations > 0.0%');
  });

  it('names every reason of the breaking second', () => {
    const r = findKnee(
      ramp(20, (i, p) => (i >= 10 ? { latencyMs: 900, achievedRps: p.offeredRps! / 2, failures: 50 } : {})),
      SLO,
    );
    expect(r.break?.breaches.map((b) => b.kind)).toEqual(['latency', 'failures', 'plateau']);
  });

  it('uses achieved rates when no offered rate was given (closed model)', () => {
    const r = findKnee(
      ramp(60, (i, p) => ({ ...hockeyStick(i, p), offeredRps: null })),
      SLO,
    );
    expect(r.rateBasis).toBe('achieved');
    expect(r.knee?.rps).toBe(920);
    expect(r.note).toContain('req/s achieved (no offered rate given)');
  });

  it('skips idle seconds: they neither hold a window nor break it', () => {
    const r = findKnee(
      ramp(20, (i) => (i < 3 || i === 12 ? { offeredRps: 0, achievedRps: 0, latencyMs: null } : {})),
      SLO,
    );
    expect(r.break).toBeNull();
    // Windows containing second 12 are not held: the best is 13..17 or later; the last 15..19 wins.
    expect(r.knee).toMatchObject({ from: T0 + 15, to: T0 + 19 });
    expect(
      findKnee(
        ramp(5, () => ({ offeredRps: 0, achievedRps: 0, latencyMs: null })),
        SLO,
      ).note,
    ).toMatch(/^no data/);
  });

  it('refuses an SLO on another percentile than the series carries, and bad options', () => {
    expect(() => findKnee(ramp(10), { latencyMs: 250, percentile: 99 })).toThrow(
      'the SLO judges p99 but the series carries p95',
    );
    expect(() => findKnee(ramp(10), SLO, { holdSeconds: 0 })).toThrow(/holdSeconds/);
    expect(() => findKnee(ramp(10), SLO, { noisySeconds: 5 })).toThrow(/noisySeconds/);
    expect(() => findKnee(ramp(10), SLO, { breakSeconds: 1.5 })).toThrow(/breakSeconds/);
  });
});
