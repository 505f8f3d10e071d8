import type { RequestEvent } from '../events/request-event';
import { StatsEntry } from './stats-entry';
import { TimeSeries } from './time-series';

export interface ErrorCount {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

export interface ExceptionCount {
  task: string;
  message: string;
  count: number;
  /** The stack trace of the first occurrence. */
  traceback?: string;
}

/**
 * All statistics of a run, fed by `request` events. Pure: the caller passes every event (which carries its own
 * wall-clock time) and calls `tick` once a second; nothing here reads a clock, a socket or a file.
 *
 * @example
 * const stats = new RequestStats(Date.now());
 * events.request.add((e) => stats.record(e));
 */
export class RequestStats {
  readonly entries = new Map<string, Map<string, StatsEntry>>();
  readonly total = new StatsEntry('', 'Aggregated');
  readonly errors = new Map<string, ErrorCount>();
  readonly exceptions = new Map<string, ExceptionCount>();
  readonly timeSeries = new TimeSeries();
  dropped = 0;
  /** Requests cut short by a forced stop: sent, never answered, in no other count. */
  interrupted = 0;
  iterations = 0;
  endedAt: number | null = null;

  constructor(readonly startedAt: number) {}

  /** The entry of (method, name), created on first use. */
  entry(method: string, name: string): StatsEntry {
    let byName = this.entries.get(method);
    if (byName === undefined) {
      byName = new Map();
      this.entries.set(method, byName);
    }
    let e = byName.get(name);
    if (e === undefined) {
      e = new StatsEntry(method, name);
      byName.set(name, e);
    }
    return e;
  }

  /** Records one finished request. */
  record(e: RequestEvent): void {
    const sec = Math.floor(e.time / 1000);
    const entry = this.entry(e.method, e.name);
    entry.record(e, sec);
    this.total.record(e, sec);
    this.timeSeries.record(sec, e.ms, e.error !== null, e.instance, e.cache, e.bytes);
    this.timeSeries.recordRow(entry, e.error !== null, e.status);
    if (e.error !== null) {
      const key = `${e.method}\u0000${e.name}\u0000${e.error}`;
      const seen = this.errors.get(key);
      if (seen === undefined) {
        this.errors.set(key, { method: e.method, name: e.name, error: e.error, occurrences: 1 });
      } else {
        seen.occurrences += 1;
      }
    }
  }

  /** Counts an exception thrown by a task; the user goes on. */
  recordException(task: string, error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const key = `${task}\u0000${message}`;
    const seen = this.exceptions.get(key);
    if (seen !== undefined) {
      seen.count += 1;
      return;
    }
    // The first occurrence's stack only (Locust's Traceback column): later ones add a count, not a string.
    const stack = error instanceof Error ? error.stack : undefined;
    this.exceptions.set(key, { task, message, count: 1, ...(stack !== undefined && { traceback: stack }) });
  }

  /** Called once a second by the runner: closes the finished time-series buckets and notes the user count. */
  tick(nowMs: number, users: number): void {
    this.timeSeries.setUsers(users);
    this.timeSeries.closeBefore(Math.floor(nowMs / 1000));
  }

  /** Notes the engine's CPU (% of a core) and event-loop lag (ms) over an interval centred on `midMs`. */
  recordEngine(midMs: number, cpuPercent: number, lagMs: number): void {
    this.timeSeries.recordEngine(Math.floor(midMs / 1000), cpuPercent, lagMs);
  }

  /** Marks the end of the run and closes the last bucket. */
  finish(nowMs: number, users: number): void {
    this.endedAt = nowMs;
    this.timeSeries.setUsers(users);
    this.timeSeries.closeBefore(Math.floor(nowMs / 1000) + 1);
  }

  /** Every (method, name) entry, sorted by name then method. */
  sortedEntries(): StatsEntry[] {
    const all: StatsEntry[] = [];
    for (const byName of this.entries.values()) all.push(...byName.values());
    return all.sort((a, b) =>
      a.name === b.name ? a.method.localeCompare(b.method) : a.name < b.name ? -1 : 1,
    );
  }
}
