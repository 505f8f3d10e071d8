import { buildConnector, Client, type Dispatcher } from 'undici';
import type { Events } from '../events/events';
import type { RequestEvent } from '../events/request-event';
import { memoUrlTemplate } from '../stats/url-template';
import { Exchange, type ExchangeOwner } from './exchange';
import { type Reporter, reportPoint } from './report-point';
import { Response } from './response';
import { honoursStatus, type RetryAfterPolicy, retryAfterMs } from './retry-after';
import { type Expect, errorText, verdict } from './verdict';

/**
 * How long an idle connection is kept when the server gives no Keep-Alive hint: nginx's default keepalive_timeout
 * is 75 s, so 60 s keeps a user with long waits on one connection without outliving the usual server's timeout.
 */
export const IDLE_KEEP_ALIVE_MS = 60_000;

export interface RequestOptions {
  /** The stats row; default: the URL template (`/users/:id`). */
  name?: string;
  /** A JSON body (sets `content-type: application/json`). */
  json?: unknown;
  /** A raw body. */
  body?: string | Buffer;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean> | URLSearchParams;
  /** Statuses that count as success; default: below 400. */
  expect?: Expect;
  /**
   * Bounds the wait for the headers (from the start, connecting included) and for each gap in the body, to within
   * a few milliseconds; default: the client's (30 s). A request past it fails (status 0, a timeout error).
   */
  timeoutMs?: number;
}

export interface HttpClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  baseUrl: string;
  events: Events;
  /** Response header that names the replica; default `x-instance`. */
  instanceHeader?: string;
  /** Response header with the cache outcome; default `x-cache`. */
  cacheHeader?: string;
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Called for each request `destroy()` cuts short: sent (the target may count it) but never reported. */
  onInterrupted?: () => void;
  /** Wait out a 429's or 503's Retry-After before the request resolves (retry-after.ts); default: never. */
  retryAfter?: RetryAfterPolicy | null;
  /** Called with the ms waited after each honoured Retry-After (cut short by `destroy()` included). */
  onRetryAfterWait?: (ms: number) => void;
  /** The local IP address every connection is bound to (`--source-address`); default: the system's choice. */
  localAddress?: string;
}

/** A Retry-After wait in progress, ended by its timer or by `destroy()`. */
interface RetryWait {
  timer: NodeJS.Timeout;
  end: () => void;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

const templateOf = memoUrlTemplate();

/** One connector per connect timeout, shared by every user's Client (why: BENCHMARKS.md, "Memory and event-loop lag"). */
const connectors = new Map<number, buildConnector.connector>();
function connectorFor(timeoutMs: number): buildConnector.connector {
  let c = connectors.get(timeoutMs);
  if (c === undefined) {
    c = buildConnector({ timeout: timeoutMs });
    connectors.set(timeoutMs, c);
  }
  return c;
}
const JSON_HEADERS: Record<string, string> = Object.freeze({ 'content-type': 'application/json' });
const NO_OPTIONS: RequestOptions = Object.freeze({});
const NO_HEADERS: Record<string, string> = Object.freeze({});

/**
 * Whether header name `name` (latin1 bytes) is `lowerName` in any case: what `name.toString('latin1')
 * .toLowerCase() === lowerName` says, byte by byte, without making a string of every name of the same length
 * (nginx's `Connection` has the length of `x-instance`).
 */
function isName(name: Buffer, lowerName: string): boolean {
  const len = lowerName.length;
  if (name.length !== len) return false;
  for (let i = 0; i < len; i++) {
    let c = name[i]!;
    // Latin-1's upper-case letters: A-Z, and À-Þ but for ×.
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0xde && c !== 0xd7)) c += 0x20;
    if (c !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/** Finds one header value in undici's raw [name, value, ...] list without parsing the others. */
function rawHeader(raw: Buffer[] | null, lowerName: string): string | undefined {
  if (raw === null) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (isName(raw[i]!, lowerName)) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}

/**
 * The HTTP client of one simulated user: its own keep-alive connection (an undici `Client`, one socket), as a
 * real client would have. Every request fires one `request` event; requests never throw.
 *
 * @example
 * const res = await client.get('/users/1', { expect: [200, 404] });
 * if (res.ok) res.json();
 * await client.post('/users', { json: { name: 'a' }, name: 'create user' });
 */
export class HttpClient implements Reporter, ExchangeOwner {
  /** Open model: how late the current iteration started; added to response times, service time kept apart. */
  latenessMs: number | null = null;
  private readonly origin: string;
  private readonly pathPrefix: string;
  /** The connection to the first origin this user talks to (nearly always the only one). */
  private main: Client | null = null;
  private mainOrigin = '';
  /** Connections to any other origin, created on first use. */
  private others: Map<string, Client> | null = null;
  private readonly instanceHeader: string;
  private readonly cacheHeader: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly jsonHeaders: Record<string, string>;
  private destroyed = false;
  private readonly retryAfter: RetryAfterPolicy | null;
  /** Retry-After waits in progress (null until the first). */
  private waits: Set<RetryWait> | null = null;
  /** The exchange in flight; any more at once (a task awaiting several requests together) in `alsoInFlight`. */
  private inFlight: Exchange | null = null;
  private alsoInFlight: Set<Exchange> | null = null;

  /** @internal The response whose verdict is open; `reportPoint` says when it is reported. */
  pending: Response | null = null;
  /** @internal Further open responses of requests sent together (`reportPoint`). */
  alsoPending: Response[] | null = null;

  constructor(private readonly options: HttpClientOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    this.instanceHeader = (options.instanceHeader ?? 'x-instance').toLowerCase();
    this.cacheHeader = (options.cacheHeader ?? 'x-cache').toLowerCase();
    this.timeoutMs = options.timeoutMs ?? 30_000;
    // Shared by every client without headers of its own (the usual case): nothing per user to keep.
    this.headers = options.headers === undefined ? NO_HEADERS : { ...options.headers };
    this.jsonHeaders = options.headers === undefined ? JSON_HEADERS : { ...this.headers, ...JSON_HEADERS };
    this.retryAfter = options.retryAfter ?? null;
    // Bound once, and only for a client that honours Retry-After: the others' requests keep their one promise.
    if (this.retryAfter !== null) this.honour = this.honour.bind(this);
  }

  get(url: string, options?: RequestOptions): Promise<Response> {
    return this.send('GET', url, options ?? NO_OPTIONS);
  }

  post(url: string, options?: RequestOptions): Promise<Response> {
    return this.send('POST', url, options ?? NO_OPTIONS);
  }

  put(url: string, options?: RequestOptions): Promise<Response> {
    return this.send('PUT', url, options ?? NO_OPTIONS);
  }

  patch(url: string, options?: RequestOptions): Promise<Response> {
    return this.send('PATCH', url, options ?? NO_OPTIONS);
  }

  delete(url: string, options?: RequestOptions): Promise<Response> {
    return this.send('DELETE', url, options ?? NO_OPTIONS);
  }

  head(url: string, options?: RequestOptions): Promise<Response> {
    return this.send('HEAD', url, options ?? NO_OPTIONS);
  }

  private dispatcherFor(origin: string): Client {
    if (this.main !== null && origin === this.mainOrigin) return this.main;
    let c = this.others?.get(origin);
    if (c === undefined) {
      // One connection, no pipelining: one simulated user is one browser-like keep-alive connection. Kept while
      // idle as long as the server says (its Keep-Alive hint), else up to IDLE_KEEP_ALIVE_MS: undici's own 4 s
      // would reconnect a user whose think time is longer on every request against nginx, which sends no hint
      // (Locust's keeps the connection until the server closes it).
      c = new Client(origin, {
        pipelining: 1,
        keepAliveTimeout: IDLE_KEEP_ALIVE_MS,
        connect: connectorFor(this.timeoutMs),
        // undici hands it to the connector, which binds the socket to it: the target sees this address.
        ...(this.options.localAddress !== undefined && { localAddress: this.options.localAddress }),
      });
      if (this.main === null) {
        this.main = c;
        this.mainOrigin = origin;
      } else {
        this.others ??= new Map();
        this.others.set(origin, c);
      }
    }
    return c;
  }

  /** Every connection, forgetting them. */
  private takeClients(): Client[] {
    const all = this.main === null ? [] : [this.main];
    if (this.others !== null) all.push(...this.others.values());
    this.main = null;
    this.others = null;
    return all;
  }

  /** Sends a request and resolves when the last body byte has arrived (or the request failed). */
  request(method: Method | string, url: string, options?: RequestOptions): Promise<Response> {
    return this.send(method.toUpperCase(), url, options ?? NO_OPTIONS);
  }

  /**
   * `request` with an upper-case method. Not an async function: the exchange's one promise is the request's,
   * settled with the response in undici's callback (`answered`). What throws before the request is sent (a bad
   * URL, a body that is not JSON) rejects it, as it would in an async function.
   */
  private send(method: string, url: string, options: RequestOptions): Promise<Response> {
    reportPoint.nextRequest(this);
    let ex: Exchange | null = null;
    try {
      let origin = this.origin;
      let path: string;
      if (url.startsWith('/')) {
        path = this.pathPrefix + url;
      } else if (url.startsWith('http://') || url.startsWith('https://')) {
        const u = new URL(url);
        origin = u.origin;
        path = u.pathname + u.search;
      } else {
        path = `${this.pathPrefix}/${url}`;
      }
      if (options.query !== undefined) {
        const qs = (
          options.query instanceof URLSearchParams
            ? options.query
            : new URLSearchParams(
                Object.entries(options.query).map(([k, v]): [string, string] => [k, String(v)]),
              )
        ).toString();
        if (qs !== '') path += (path.includes('?') ? '&' : '?') + qs;
      }
      let body: string | Buffer | undefined = options.body;
      let headers = this.headers;
      if (options.json !== undefined) {
        body = JSON.stringify(options.json);
        headers = this.jsonHeaders;
      }
      if (options.headers !== undefined) headers = { ...headers, ...options.headers };
      const dispatchOptions: Dispatcher.DispatchOptions = {
        method: method as Dispatcher.HttpMethod,
        path,
        headers,
        body: body ?? null,
        // undici's own timeouts tick every 499 ms (1,000 ms fired after 1.0-1.5 s): the exchange keeps its deadline
        // in the process's one deadline queue instead.
        headersTimeout: 0,
        bodyTimeout: 0,
      };
      ex = new Exchange(this, method, url, options, performance.now());
      ex.expireAfter(options.timeoutMs ?? this.timeoutMs);
      if (this.inFlight === null) this.inFlight = ex;
      else {
        this.alsoInFlight ??= new Set();
        this.alsoInFlight.add(ex);
      }
      // After the test stopped, a task still running sends nothing more: the target would count what we do not.
      if (this.destroyed) ex.onError(new Error('swarm: the test stopped'));
      else this.dispatcherFor(origin).dispatch(dispatchOptions, ex);
      return this.retryAfter === null ? ex.done : ex.done.then(this.honour);
    } catch (err) {
      if (ex !== null) {
        ex.forget();
        this.untrack(ex);
      }
      return Promise.reject(err);
    }
  }

  /**
   * Resolves with `r` at once, or, for a 429 or 503 with a Retry-After, once the wait it asks for (at most the
   * policy's maximum) is over or `destroy()` cut it short. Bound in the constructor.
   */
  private honour(r: Response): Response | Promise<Response> {
    if (!honoursStatus(r.status) || this.destroyed) return r;
    const ms = retryAfterMs(r.headers['retry-after'], this.retryAfter!.maxMs);
    if (ms === null || ms === 0) return r;
    return new Promise<Response>((resolve) => {
      const startedAt = performance.now();
      const wait: RetryWait = {
        timer: setTimeout(() => wait.end(), ms),
        end: () => {
          clearTimeout(wait.timer);
          this.waits?.delete(wait);
          this.options.onRetryAfterWait?.(performance.now() - startedAt);
          resolve(r);
        },
      };
      this.waits ??= new Set();
      this.waits.add(wait);
    });
  }

  private untrack(ex: Exchange): void {
    if (this.inFlight === ex) this.inFlight = null;
    else this.alsoInFlight?.delete(ex);
  }

  /** @internal The exchange's call when it has ended: its response, whose verdict stays open (`reportPoint`). */
  answered(ex: Exchange): Response {
    this.untrack(ex);
    const options = ex.options;
    const serviceMs = ex.endedAt - ex.startedAt;
    const lateness = this.latenessMs;
    const error = ex.error !== null ? errorText(ex.error) : verdict(ex.status, options.expect);
    const response = new Response(this, {
      method: ex.method,
      name: options.name ?? templateOf(ex.url),
      url: ex.url,
      status: ex.error !== null ? 0 : ex.status,
      ms: lateness === null ? serviceMs : serviceMs + lateness,
      serviceMs: lateness === null ? undefined : serviceMs,
      bytes: ex.bytes,
      rawHeaders: ex.rawHeaders,
      chunks: ex.chunks,
      error,
      instance: rawHeader(ex.rawHeaders, this.instanceHeader),
      cache: rawHeader(ex.rawHeaders, this.cacheHeader),
      time: Date.now(),
    });
    reportPoint.open(this, response);
    return response;
  }

  /** The end of a task (the user loop's `afterTask`): the last response's verdict is final, and reported. */
  endOfTask(): void {
    reportPoint.endOfTask(this);
  }

  /** @internal Fires the `request` event of a response (`reportPoint` says when, once each). */
  fireRequest(r: Response): void {
    if (this.destroyed) return;
    const event: RequestEvent = {
      method: r.method,
      name: r.name,
      ms: r.ms,
      serviceMs: r.serviceMs,
      bytes: r.bytes,
      status: r.status,
      error: r.error,
      throttled: r.status === 429,
      instance: r.instance,
      cache: r.cache,
      time: r.time,
    };
    this.options.events.request.fire(event);
  }

  /** Closes the connections once idle; the last response is reported first. */
  async close(): Promise<void> {
    if (this.destroyed) return;
    reportPoint.endOfTask(this);
    await Promise.all(this.takeClients().map((c) => c.close()));
  }

  /**
   * Aborts what is in flight and closes the connections at once. Nothing is reported after this: a request
   * cut short by the end of the test is not a failure of the target.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    // A 429 or 503 being waited out was answered: it is reported as it is (throttled), not dropped as interrupted.
    if (this.waits !== null && this.waits.size > 0) reportPoint.endOfTask(this);
    this.destroyed = true;
    // Sent and never to be reported: counted apart, so a comparison with the target's own count can allow for it.
    const stopped = new Error('swarm: the test stopped');
    const inFlight = this.inFlight === null ? [] : [this.inFlight];
    if (this.alsoInFlight !== null) inFlight.push(...this.alsoInFlight);
    for (let n = inFlight.length + reportPoint.drop(this); n > 0; n--) this.options.onInterrupted?.();
    for (const ex of inFlight) ex.abort(stopped);
    if (this.waits !== null) for (const wait of [...this.waits]) wait.end();
    await Promise.all(this.takeClients().map((c) => c.destroy()));
  }
}
