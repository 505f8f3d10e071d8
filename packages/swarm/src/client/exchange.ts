import { type Dispatcher, errors } from 'undici';
import { type DeadlineLink, type Expiring, requestDeadlines } from './deadline-queue';
import type { RequestOptions } from './http-client';
import type { Response } from './response';

/** The client an exchange belongs to: it makes the response of a finished exchange. */
export interface ExchangeOwner {
  /** The response of `ex`, which has just ended (its status, headers and body, or its error, are final). */
  answered(ex: Exchange): Response;
}

type Settle = (response: Response) => void;
type Fail = (error: unknown) => void;
// The promise executor is one function for every exchange (no closure per request): it hands out its resolve and
// reject functions through these two variables, read right after `new Promise` returns.
let nextSettle: Settle | null = null;
let nextFail: Fail | null = null;
function capture(settle: Settle, fail: Fail): void {
  nextSettle = settle;
  nextFail = fail;
}
const NO_CHUNKS: Buffer[] = [];

/**
 * One request in flight, as an undici dispatch handler (the legacy callback shape, which undici's `Client`
 * calls without an adapter). It collects the status, raw headers and body chunks and, when the request ends,
 * settles its promise with the response its owner makes of it, in undici's own callback: the request path stays
 * close to a bare `dispatch` loop (one promise per request, no async frame).
 *
 * With a timeout it keeps its deadline in the process's `requestDeadlines`: the headers are due `timeoutMs` after
 * the start (connecting included), then each gap in the body may last `timeoutMs`. A request past it fails with
 * undici's own timeout error and is aborted (its connection closed, as undici does).
 */
export class Exchange implements Expiring {
  status = 0;
  rawHeaders: Buffer[] | null = null;
  /** The body's chunks: a shared empty array until the first one arrives. */
  chunks: Buffer[] = NO_CHUNKS;
  bytes = 0;
  endedAt = 0;
  error: Error | null = null;
  deadlinePrev: DeadlineLink | null = null;
  deadlineNext: DeadlineLink | null = null;
  deadlineDue = 0;
  private timeoutMs = 0;
  /** When the headers or the last body chunk arrived (monotonic ms). */
  private lastActivityAt = 0;
  private abortFn: ((reason?: Error) => void) | null = null;
  /** Resolves `done`; null once the exchange has ended. */
  private settle: Settle | null;
  private fail: Fail | null;
  /** Resolves with the response when the request ends; rejects only if making the response threw. */
  readonly done: Promise<Response>;

  constructor(
    private readonly owner: ExchangeOwner,
    readonly method: string,
    readonly url: string,
    readonly options: RequestOptions,
    readonly startedAt: number,
  ) {
    this.done = new Promise(capture);
    this.settle = nextSettle;
    this.fail = nextFail;
  }

  /** Fails the request once it has waited `timeoutMs` for its headers or for the next body chunk. */
  expireAfter(timeoutMs: number): void {
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return;
    this.timeoutMs = timeoutMs;
    requestDeadlines.add(this, this.startedAt + timeoutMs, timeoutMs);
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
    if (this.chunks === NO_CHUNKS) this.chunks = [chunk];
    else this.chunks.push(chunk);
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

  /** Leaves the deadline queue without settling (the request could not be dispatched at all). */
  forget(): void {
    this.settle = null;
    this.fail = null;
    requestDeadlines.remove(this);
  }

  /** Settles once: what undici reports after a timeout (the abort's own error) changes nothing. */
  private finish(err: Error | null): void {
    const settle = this.settle;
    const fail = this.fail!;
    if (settle === null) return;
    this.settle = null;
    this.fail = null;
    this.endedAt = performance.now();
    this.error = err;
    requestDeadlines.remove(this);
    let response: Response;
    try {
      response = this.owner.answered(this);
    } catch (error) {
      fail(error);
      return;
    }
    settle(response);
  }
}

/** The shape undici's `dispatch` expects, checked at compile time. */
export type ExchangeHandler = Dispatcher.DispatchHandler;
