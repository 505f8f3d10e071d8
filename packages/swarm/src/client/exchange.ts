import type { Dispatcher } from 'undici';

/**
 * One request in flight, as an undici dispatch handler (the legacy callback shape, which undici's `Client`
 * calls without an adapter). It collects the status, raw headers and body chunks and settles one promise:
 * the request path stays close to a bare `dispatch` loop.
 */
export class Exchange {
  status = 0;
  rawHeaders: Buffer[] | null = null;
  readonly chunks: Buffer[] = [];
  bytes = 0;
  endedAt = 0;
  error: Error | null = null;
  private abortFn: ((reason?: Error) => void) | null = null;
  private settle: (() => void) | null = null;
  readonly done: Promise<void>;

  constructor(readonly startedAt: number) {
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortFn = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    this.status = status;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    return true;
  }

  onComplete(): void {
    this.endedAt = performance.now();
    this.settle?.();
  }

  onError(err: Error): void {
    this.endedAt = performance.now();
    this.error = err;
    this.settle?.();
  }

  abort(reason: Error): void {
    this.abortFn?.(reason);
  }
}

/** The shape undici's `dispatch` expects, checked at compile time. */
export type ExchangeHandler = Dispatcher.DispatchHandler;
