import { describe, expect, it } from 'vitest';
import { describeStart, START_AT_GRACE_MS, startAtProblem, waitUntil } from './start-at';

const T = Date.parse('2026-12-01T10:00:00Z');

describe('startAtProblem', () => {
  it('accepts a start ahead, or past by no more than the grace', () => {
    expect(startAtProblem(T + 30_000, T)).toBeNull();
    expect(startAtProblem(T, T + START_AT_GRACE_MS)).toBeNull();
  });

  it('refuses a start past by more than the grace, saying how long ago', () => {
    expect(startAtProblem(T, T + 5000)).toMatch(
      /^it was 5\.0 s ago \(2026-12-01T10:00:00\.000Z\); the grace is 2 s/,
    );
  });

  it('refuses a start more than a day ahead (milliseconds given as seconds)', () => {
    expect(startAtProblem(T * 1000, T)).toMatch(/more than a day ahead; it is in epoch seconds/);
  });
});

describe('describeStart', () => {
  it('says when and in how long', () => {
    expect(describeStart(T + 12_300, T)).toBe('starting at 2026-12-01T10:00:12.300Z, in 12.3 s');
    expect(describeStart(T, T + 500)).toMatch(/^starting now \(--start-at .* was 0\.5 s ago/);
  });
});

describe('waitUntil', () => {
  it('resolves true, not before the instant', async () => {
    const at = Date.now() + 300;
    expect(await waitUntil(at)).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
  });

  it('resolves false when aborted first, long before the instant', async () => {
    const controller = new AbortController();
    const waiting = waitUntil(Date.now() + 3_600_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    const aborted = new AbortController();
    aborted.abort();
    expect(await waitUntil(Date.now() + 3_600_000, aborted.signal)).toBe(false);
  });
});
