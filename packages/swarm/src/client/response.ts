import { STATUS_CODES } from 'node:http';
import { type Reporter, reportPoint } from './report-point';

/** Everything a response is made of, as the client has it when the last byte arrived. */
export interface ResponseInit {
  method: string;
  /** The stats row. */
  name: string;
  url: string;
  /** 0 when no response arrived. */
  status: number;
  /** Response time (open model: from the intended start). */
  ms: number;
  /** Open model only: the plain service time. */
  serviceMs: number | undefined;
  bytes: number;
  rawHeaders: Buffer[] | null;
  chunks: Buffer[];
  /** The failure reason so far, null for a success. */
  error: string | null;
  /** The instance header's value. */
  instance: string | undefined;
  /** The `X-Cache` value. */
  cache: string | undefined;
  /** Epoch ms when the last byte arrived. */
  time: number;
}

function parseRawHeaders(raw: Buffer[] | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === null) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

/**
 * A finished request. Requests never throw: a connection error or a timeout gives `status` 0 and an `error`.
 * The verdict (failed or not) may be overridden with `failure(reason)` or `success()` until it is reported (see
 * `reportPoint` for when that is).
 */
export class Response {
  readonly method: string;
  readonly name: string;
  readonly url: string;
  readonly status: number;
  readonly ms: number;
  readonly serviceMs: number | undefined;
  readonly bytes: number;
  readonly instance: string | undefined;
  readonly cache: string | undefined;
  /** Epoch ms when the last byte arrived. */
  readonly time: number;
  /** The failure reason, null when the request counts as a success. */
  error: string | null;
  reported = false;
  private readonly rawHeaders: Buffer[] | null;
  private readonly chunks: Buffer[];
  private headerCache: Record<string, string> | null = null;
  private bodyCache: Buffer | null = null;

  constructor(
    private readonly client: Reporter,
    init: ResponseInit,
  ) {
    this.method = init.method;
    this.name = init.name;
    this.url = init.url;
    this.status = init.status;
    this.ms = init.ms;
    this.serviceMs = init.serviceMs;
    this.bytes = init.bytes;
    this.rawHeaders = init.rawHeaders;
    this.chunks = init.chunks;
    this.error = init.error;
    this.instance = init.instance;
    this.cache = init.cache;
    this.time = init.time;
  }

  /** True when the request counts as a success. */
  get ok(): boolean {
    return this.error === null;
  }

  /** A 429 answer, counted as throttled and not as a failure unless `failure()` says so. */
  get throttled(): boolean {
    return this.status === 429;
  }

  /** Response headers, names in lower case. */
  get headers(): Record<string, string> {
    if (this.headerCache === null) this.headerCache = parseRawHeaders(this.rawHeaders);
    return this.headerCache;
  }

  get statusText(): string {
    return STATUS_CODES[this.status] ?? '';
  }

  /** The body as a Buffer. */
  body(): Buffer {
    if (this.bodyCache === null) {
      this.bodyCache = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    }
    return this.bodyCache;
  }

  /** The body decoded as UTF-8. */
  text(): string {
    return this.body().toString('utf8');
  }

  /**
   * The body parsed as JSON; throws a `SyntaxError` (a task exception) when it is not JSON, naming the request
   * and its status but not the body: V8's own message quotes the body's start, which would make every distinct
   * body its own exception row and put the target's content into the reports and the web UI.
   */
  json<T = unknown>(): T {
    try {
      return JSON.parse(this.text()) as T;
    } catch {
      throw new SyntaxError(`${this.method} ${this.name} answered ${this.status}: the body is not JSON`);
    }
  }

  /** Counts this request as failed with `reason` (Locust's `response.failure`). */
  failure(reason: string): void {
    if (this.reported) return;
    this.error = reason;
    reportPoint.decided(this.client, this);
  }

  /** Counts this request as a success whatever its status (Locust's `response.success`). */
  success(): void {
    if (this.reported) return;
    this.error = null;
    reportPoint.decided(this.client, this);
  }
}
