import { describe, expect, it } from 'vitest';
import { type Sleeper, WakeQueue } from './wake-queue';

/** A sleeper that records when each ticket woke, refusing the tickets in `cancelled`. */
function recorder(cancelled = new Set<number>()) {
  const woke: Array<{ ticket: number; at: number }> = [];
  const sleeper: Sleeper = {
    wake(ticket) {
      if (cancelled.has(ticket)) return false;
      woke.push({ ticket, at: performance.now() });
      return true;
    },
  };
  return { woke, sleeper };
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('WakeQueue', () => {
  it('wakes every wait once, in order of due time, never before it is due', async () => {
    const q = new WakeQueue();
    const { woke, sleeper } = recorder();
    const t0 = performance.now();
    const dues = new Map<number, number>();
    // Deterministic pseudo-random due times within 0–60 ms, many sharing a millisecond.
    let x = 7;
    for (let ticket = 1; ticket <= 500; ticket++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const due = t0 + (x % 6000) / 100;
      dues.set(ticket, due);
      q.add(due, sleeper, ticket);
    }
    await until(() => woke.length === 500);
    expect(new Set(woke.map((w) => w.ticket)).size).toBe(500);
    const order = woke.map((w) => dues.get(w.ticket)!);
    for (let i = 1; i < order.length; i++) expect(order[i]!).toBeGreaterThanOrEqual(order[i - 1]!);
    // Node's timers fire on whole milliseconds; the queue wakes what is due within half of one.
    for (const w of woke) expect(w.at).toBeGreaterThanOrEqual(dues.get(w.ticket)! - 0.5);
    expect(q.pending).toBe(0);
    expect(q.size).toBe(0);
  });

  it('lets a wait added before the earliest one re-arm the timer', async () => {
    const q = new WakeQueue();
    const { woke, sleeper } = recorder();
    const t0 = performance.now();
    q.add(t0 + 2000, sleeper, 1);
    q.add(t0 + 10, sleeper, 2);
    await until(() => woke.length === 1);
    expect(woke[0]!.ticket).toBe(2);
    expect(woke[0]!.at - t0).toBeLessThan(1000);
    expect(q.pending).toBe(1);
    q.cancel();
  });

  it('empties itself and stops its timer once every wait left is cancelled', async () => {
    const q = new WakeQueue();
    const cancelled = new Set<number>();
    const { woke, sleeper } = recorder(cancelled);
    const t0 = performance.now();
    q.add(t0 + 20, sleeper, 1);
    q.add(t0 + 60_000, sleeper, 2);
    q.add(t0 + 60_000, sleeper, 3);
    cancelled.add(2);
    q.cancel();
    await until(() => woke.length === 1);
    expect(q.pending).toBe(1);
    cancelled.add(3);
    q.cancel();
    // Nothing is left on: the queue holds no entry and no timer keeps the process alive.
    expect(q.pending).toBe(0);
    expect(q.size).toBe(0);
  });
});
