import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, type Expiring } from './deadline-queue';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** An item that logs when it expires at the fake clock, optionally asking for more time once. */
function item(log: string[], name: string, extendTo: number | null = null): Expiring {
  let extend = extendTo;
  return {
    deadlinePrev: null,
    deadlineNext: null,
    deadlineDue: 0,
    expire(now) {
      log.push(`${name}@${now}`);
      const later = extend;
      extend = null;
      return later;
    },
  };
}

describe('DeadlineQueue', () => {
  it('expires items at their deadlines, in order, and never one that was removed', () => {
    const q = new DeadlineQueue(() => Date.now());
    const t0 = Date.now();
    const log: string[] = [];
    const items = [5, 3, 9, 1, 7, 3, 8, 2, 6, 4].map((d, i) => {
      const it = item(log, `${d}s#${i}`);
      q.add(it, t0 + d * 1000);
      return it;
    });
    // Remove from the middle, the head and the tail: the list stays sorted.
    for (const i of [0, 3, 9]) q.remove(items[i]!);
    q.remove(items[0]!); // twice is harmless
    expect(q.size).toBe(7);
    vi.advanceTimersByTime(10_000);
    expect(log).toEqual([
      `2s#7@${t0 + 2000}`,
      `3s#1@${t0 + 3000}`,
      `3s#5@${t0 + 3000}`,
      `6s#8@${t0 + 6000}`,
      `7s#4@${t0 + 7000}`,
      `8s#6@${t0 + 8000}`,
      `9s#2@${t0 + 9000}`,
    ]);
    expect(q.size).toBe(0);
  });

  it('keeps an item that asks for a later deadline (a body still arriving)', () => {
    const q = new DeadlineQueue(() => Date.now());
    const t0 = Date.now();
    const log: string[] = [];
    q.add(item(log, 'body', t0 + 2500), t0 + 1000);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual([`body@${t0 + 1000}`]);
    expect(q.size).toBe(1);
    vi.advanceTimersByTime(1500);
    expect(log).toEqual([`body@${t0 + 1000}`, `body@${t0 + 2500}`]);
    expect(q.size).toBe(0);
  });

  it('arms one timer for many requests answered in time, not one per request', () => {
    const q = new DeadlineQueue(() => Date.now());
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const log: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const it = item(log, `r${i}`);
      q.add(it, Date.now() + 30_000);
      vi.advanceTimersByTime(5); // answered 5 ms later
      q.remove(it);
    }
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual([]);
    setTimeoutSpy.mockRestore();
  });

  it('keeps lanes apart and expires each in order, whatever order items of a lane came in', () => {
    const q = new DeadlineQueue(() => Date.now());
    const t0 = Date.now();
    const log: string[] = [];
    // Lane 3000 in due order (the usual case), lane 1000 out of order, and one that comes back later.
    q.add(item(log, 'a3'), t0 + 3000, 3000);
    q.add(item(log, 'b1'), t0 + 1500, 1000);
    q.add(item(log, 'c3'), t0 + 3500, 3000);
    q.add(item(log, 'd1'), t0 + 1000, 1000);
    q.add(item(log, 'e1', t0 + 4000), t0 + 1200, 1000);
    expect(q.size).toBe(5);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual([`d1@${t0 + 1000}`]);
    vi.advanceTimersByTime(2000);
    expect(log).toEqual([`d1@${t0 + 1000}`, `e1@${t0 + 1200}`, `b1@${t0 + 1500}`, `a3@${t0 + 3000}`]);
    expect(q.size).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(log.slice(4)).toEqual([`c3@${t0 + 3500}`, `e1@${t0 + 4000}`]);
    expect(q.size).toBe(0);
  });
});
