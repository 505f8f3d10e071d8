/** Something with a deadline in a `DeadlineQueue`. */
export interface Expiring {
  /** Its place in the queue, -1 when not queued; only the queue writes it. */
  deadlineSlot: number;
  /** Its deadline has come (`nowMs`, monotonic): returns a later deadline to stay queued, or null when done. */
  expire(nowMs: number): number | null;
}

/**
 * The deadlines of every request in flight in this process, behind one timer: a binary min-heap of due times
 * (`performance.now()` ms) that knows each item's place, so a request answered in time — nearly all of them —
 * leaves at once, in O(log n), without touching the timer.
 *
 * Why not undici's own `headersTimeout`/`bodyTimeout`: they run on its coarse shared clock (a tick every 499 ms),
 * so a 1,000 ms timeout failed after 1.0–1.5 s. Why not the users' `WakeQueue`: a wait nearly always runs to its
 * end there, and a cancelled one stays queued until its due time; requests nearly always end before theirs, and
 * at 50,000 req/s with the default 30 s timeout that would be 1.5 million dead entries, each holding its exchange.
 *
 * The timer is armed lazily: a removal never re-arms it, so it may fire for a request already answered and then
 * re-arms for the earliest deadline left (about once per timeout period in a steady run, not once per request).
 * It is unref'd: the sockets of the requests in flight keep the process alive, the queue never does.
 *
 * @example
 * requestDeadlines.add(exchange, performance.now() + 1000); // exchange.expire(now) in ~1 s unless removed
 * requestDeadlines.remove(exchange);
 */
export class DeadlineQueue {
  private readonly items: Expiring[] = [];
  private readonly due: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The due time the timer is armed for (Infinity when unarmed). */
  private armedFor = Number.POSITIVE_INFINITY;
  private firing = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Items queued. */
  get size(): number {
    return this.items.length;
  }

  /** Queues `item.expire(now)` for monotonic time `dueMs`; the item must not be queued already. */
  add(item: Expiring, dueMs: number): void {
    const i = this.items.length;
    this.items.push(item);
    this.due.push(dueMs);
    item.deadlineSlot = i;
    this.up(i);
    if (!this.firing && dueMs < this.armedFor) this.arm(dueMs);
  }

  /** Takes `item` out of the queue (nothing happens when it is not queued). */
  remove(item: Expiring): void {
    const i = item.deadlineSlot;
    if (i < 0) return;
    item.deadlineSlot = -1;
    const lastItem = this.items.pop()!;
    const lastDue = this.due.pop()!;
    if (i === this.items.length) return;
    this.put(i, lastItem, lastDue);
    this.down(i);
    this.up(lastItem.deadlineSlot);
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.now();
    this.firing = true;
    try {
      // Never early: a timer that fired before the deadline (Node's run on whole milliseconds) is armed again.
      while (this.items.length > 0 && this.due[0]! <= now) {
        const item = this.items[0]!;
        this.remove(item);
        const later = item.expire(now);
        if (later !== null) this.add(item, later);
      }
    } finally {
      this.firing = false;
    }
    if (this.items.length > 0) this.arm(this.due[0]!);
  };

  private arm(dueMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedFor = dueMs;
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(dueMs - this.now())));
    this.timer.unref();
  }

  private up(i: number): void {
    const item = this.items[i]!;
    const d = this.due[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.due[parent]! <= d) break;
      this.put(i, this.items[parent]!, this.due[parent]!);
      i = parent;
    }
    this.put(i, item, d);
  }

  private down(i: number): void {
    const n = this.items.length;
    const item = this.items[i]!;
    const d = this.due[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.due[r]! < this.due[l]! ? r : l;
      if (this.due[c]! >= d) break;
      this.put(i, this.items[c]!, this.due[c]!);
      i = c;
    }
    this.put(i, item, d);
  }

  private put(i: number, item: Expiring, d: number): void {
    this.items[i] = item;
    this.due[i] = d;
    item.deadlineSlot = i;
  }
}

/** The queue every request of this process keeps its deadline in. */
export const requestDeadlines = new DeadlineQueue();
