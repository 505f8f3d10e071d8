import { type Dispatcher, errors } from 'undici';
import { type Expiring, requestDeadlines } from './deadline-queue';

/**
 * One request in flight, as an undici dispatch handler (the legacy callback shape, which undici's `Client`
 * calls without an adapter). It collects the status, raw headers and body chunks and settles one promise:
 * the request path stays close to a bare `dispatch` loop.
 *
 * With a timeout it keeps its deadline in the process's `requestDeadlines`: the headers are due `timeoutMs` after
 * the start (connecting included), then each gap in the body may last `timeoutMs`. A request past it fails with
 * undici's own timeout error and is aborted (its connection closed, as undici does).
 */
export class Exchange implements Expiring {
  status = 0;
  rawHeaders: Buffer[] | null = null;
  readonly chunks: Buffer[] = [];
  bytes = 0;
  endedAt = 0;
  error: Error | null = null;
  deadlineSlot = -1;
  private timeoutMs = 0;
  /** When the headers or the last body chunk arrived (monotonic ms). */
  private lastActivityAt = 0;
  private abortFn: ((reason?: Error) => void) | null = null;
  private settle: (() => void) | null = null;
  readonly done: Promise<void>;

  constructor(readonly startedAt: number) {
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** Fails the request once it has waited `timeoutMs` for its headers or for the next body chunk. */
  expireAfter(timeoutMs: number): void {
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return;
    this.timeoutMs = timeoutMs;
    requestDeadlines.add(this, this.startedAt + timeoutMs);
  }

  onConnect(abort: (reason?: Error) => void): void {
    // Timed out while waiting for a connection: it is never sent.
    if (this.settle === null) abort(this.error ?? new errors.RequestAbortedError());
    else this.abortFn = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    this.status = status;
    this.rawHeaders = rawHeaders;
    if (this.timeoutMs > 0) this.lastActivityAt = performance.now();
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.timeoutMs > 0) this.lastActivityAt = performance.now();
    return true;
  }

  onComplete(): void {
    this.finish(null);
  }

  onError(err: Error): void {
    this.finish(err);
  }

  /** @internal The deadline queue's call: fails the request, or returns its new deadline if data came since. */
  expire(nowMs: number): number | null {
    if (this.settle === null) return null;
    const sent = this.abortFn !== null;
    const deadline = (this.rawHeaders === null ? this.startedAt : this.lastActivityAt) + this.timeoutMs;
    if (deadline > nowMs) return deadline;
    const err = !sent
      ? new errors.ConnectTimeoutError()
      : this.rawHeaders === null
        ? new errors.HeadersTimeoutError()
        : new errors.BodyTimeoutError();
    this.finish(err);
    this.abortFn?.(err);
    return null;
  }

  abort(reason: Error): void {
    this.abortFn?.(reason);
  }

  /** Settles once: what undici reports after a timeout (the abort's own error) changes nothing. */
  private finish(err: Error | null): void {
    const settle = this.settle;
    if (settle === null) return;
    this.settle = null;
    this.endedAt = performance.now();
    this.error = err;
    if (this.deadlineSlot >= 0) requestDeadlines.remove(this);
    settle();
  }
}

/** The shape undici's `dispatch` expects, checked at compile time. */
export type ExchangeHandler = Dispatcher.DispatchHandler;
