/**
 * Something that waits: `wake(ticket)` is called once its due time has come, with the ticket it was queued with,
 * and returns whether that wait was still on (false for a wait it had cancelled).
 */
export interface Sleeper {
  wake(ticket: number): boolean;
}

/**
 * Wakes many waiting users from one timer: a binary min-heap of due times (monotonic ms) in flat arrays, so a wait
 * allocates no timer object (why: BENCHMARKS.md, "Memory and event-loop lag").
 *
 * A cancelled wait is not removed: its sleeper ignores a ticket it no longer waits for. Once no wait is on, the
 * queue is emptied and its timer cleared, so cancelled waits never keep the process alive.
 *
 * @example
 * const q = new WakeQueue();
 * q.add(performance.now() + 1500, sleeper, ticket); // sleeper.wake(ticket) in ~1.5 s
 */
export class WakeQueue {
  private readonly due: number[] = [];
  private readonly sleepers: Sleeper[] = [];
  private readonly tickets: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The due time the timer is armed for (Infinity when unarmed). */
  private armedFor = Number.POSITIVE_INFINITY;
  /** Waits queued and neither woken nor cancelled. */
  private live = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Entries queued, cancelled ones included. */
  get size(): number {
    return this.due.length;
  }

  /** Waits still on. */
  get pending(): number {
    return this.live;
  }

  /** Says that one queued wait was cancelled (its sleeper will refuse its ticket). */
  cancel(): void {
    this.live--;
    if (this.live === 0) this.clear();
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.due.length = 0;
    this.sleepers.length = 0;
    this.tickets.length = 0;
  }

  /** Queues `sleeper.wake(ticket)` for monotonic time `dueMs` (`performance.now()` scale). */
  add(dueMs: number, sleeper: Sleeper, ticket: number): void {
    this.live++;
    let i = this.due.length;
    this.due.push(dueMs);
    this.sleepers.push(sleeper);
    this.tickets.push(ticket);
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.due[parent]! <= dueMs) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, dueMs, sleeper, ticket);
    if (dueMs < this.armedFor) this.arm(dueMs);
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    // Node's timers fire on whole milliseconds: wake what is due within the next half millisecond too.
    const limit = this.now() + 0.5;
    while (this.due.length > 0 && this.due[0]! <= limit) {
      const sleeper = this.sleepers[0]!;
      const ticket = this.tickets[0]!;
      this.pop();
      if (sleeper.wake(ticket)) this.live--;
    }
    if (this.live === 0) this.clear();
    else if (this.due.length > 0) this.arm(this.due[0]!);
  };

  private arm(dueMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedFor = dueMs;
    this.timer = setTimeout(this.fire, Math.max(0, dueMs - this.now()));
  }

  private pop(): void {
    const last = this.due.length - 1;
    const d = this.due[last]!;
    const s = this.sleepers[last]!;
    const t = this.tickets[last]!;
    this.due.pop();
    this.sleepers.pop();
    this.tickets.pop();
    if (last === 0) return;
    // Sift the last entry down from the root.
    let i = 0;
    const n = last;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.due[r]! < this.due[l]! ? r : l;
      if (this.due[c]! >= d) break;
      this.move(c, i);
      i = c;
    }
    this.put(i, d, s, t);
  }

  private move(from: number, to: number): void {
    this.due[to] = this.due[from]!;
    this.sleepers[to] = this.sleepers[from]!;
    this.tickets[to] = this.tickets[from]!;
  }

  private put(i: number, d: number, s: Sleeper, t: number): void {
    this.due[i] = d;
    this.sleepers[i] = s;
    this.tickets[i] = t;
  }
}

/** The queue every user of this process waits in. */
export const wakeQueue = new WakeQueue();
