/** A place in a `DeadlineQueue`'s lists; only the queue writes these fields. */
export interface DeadlineLink {
  /** Neighbours in its lane, null when not queued. */
  deadlinePrev: DeadlineLink | null;
  deadlineNext: DeadlineLink | null;
  /** Its due time (monotonic ms) while queued. */
  deadlineDue: number;
}

/** Something with a deadline in a `DeadlineQueue`. */
export interface Expiring extends DeadlineLink {
  /** Its deadline has come (`nowMs`, monotonic): returns a later deadline to stay queued, or null when done. */
  expire(nowMs: number): number | null;
}

/** The head and tail of a lane: a circular list through one sentinel, due before everything. */
function sentinel(): DeadlineLink {
  const s: DeadlineLink = { deadlinePrev: null, deadlineNext: null, deadlineDue: Number.NEGATIVE_INFINITY };
  s.deadlinePrev = s;
  s.deadlineNext = s;
  return s;
}

/**
 * The deadlines of every request in flight in this process, behind one timer: lists sorted by due time
 * (`performance.now()` ms), one per lane. Requests with the same timeout share a lane and arrive in the order of
 * their deadlines, so an add goes to its lane's tail and a request answered in time — nearly all of them — leaves
 * by unlinking itself: both O(1), without touching the timer. (An item due before its lane's tail, such as a body
 * that came back for a later deadline, walks back to its place.)
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
 * requestDeadlines.add(exchange, performance.now() + 1000, 1000); // exchange.expire(now) in ~1 s unless removed
 * requestDeadlines.remove(exchange);
 */
export class DeadlineQueue {
  /** The lanes by key (a request's timeout), each its list's sentinel. */
  private readonly lanes = new Map<number, DeadlineLink>();
  private lastKey = Number.NaN;
  private lastLane: DeadlineLink | null = null;
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The due time the timer is armed for (Infinity when unarmed). */
  private armedFor = Number.POSITIVE_INFINITY;
  private firing = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Items queued. */
  get size(): number {
    return this.count;
  }

  /**
   * Queues `item.expire(now)` for monotonic time `dueMs` in lane `lane` (items of a lane should mostly come in
   * due order: one lane per timeout); the item must not be queued already.
   */
  add(item: Expiring, dueMs: number, lane = 0): void {
    let head = this.lastLane;
    if (lane !== this.lastKey || head === null) {
      head = this.lanes.get(lane) ?? null;
      if (head === null) {
        head = sentinel();
        this.lanes.set(lane, head);
      }
      this.lastKey = lane;
      this.lastLane = head;
    }
    this.link(head, item, dueMs);
    this.count++;
    if (!this.firing && dueMs < this.armedFor) this.arm(dueMs);
  }

  /** Takes `item` out of the queue (nothing happens when it is not queued). */
  remove(item: Expiring): void {
    const prev = item.deadlinePrev;
    if (prev === null) return;
    const next = item.deadlineNext!;
    prev.deadlineNext = next;
    next.deadlinePrev = prev;
    item.deadlinePrev = null;
    item.deadlineNext = null;
    this.count--;
  }

  /** Inserts `item` after the last item of the lane due no later than `dueMs` (the tail, nearly always). */
  private link(head: DeadlineLink, item: Expiring, dueMs: number): void {
    let after = head.deadlinePrev!;
    while (after.deadlineDue > dueMs) after = after.deadlinePrev!;
    const next = after.deadlineNext!;
    item.deadlineDue = dueMs;
    item.deadlinePrev = after;
    item.deadlineNext = next;
    after.deadlineNext = item;
    next.deadlinePrev = item;
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.now();
    let earliest = Number.POSITIVE_INFINITY;
    this.firing = true;
    try {
      for (const [key, head] of this.lanes) {
        // Never early: a timer that fired before the deadline (Node's run on whole milliseconds) is armed again.
        let first = head.deadlineNext!;
        while (first !== head && first.deadlineDue <= now) {
          const item = first as Expiring;
          this.remove(item);
          const later = item.expire(now);
          if (later !== null) {
            this.link(head, item, later);
            this.count++;
          }
          first = head.deadlineNext!;
        }
        if (first === head) {
          this.lanes.delete(key);
          if (this.lastLane === head) this.lastLane = null;
        }
      }
    } finally {
      this.firing = false;
    }
    for (const head of this.lanes.values()) {
      const first = head.deadlineNext!;
      if (first !== head && first.deadlineDue < earliest) earliest = first.deadlineDue;
    }
    if (earliest < Number.POSITIVE_INFINITY) this.arm(earliest);
  };

  private arm(dueMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedFor = dueMs;
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(dueMs - this.now())));
    this.timer.unref();
  }
}

/** The queue every request of this process keeps its deadline in. */
export const requestDeadlines = new DeadlineQueue();
