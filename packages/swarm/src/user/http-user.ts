import { HttpClient } from '../client/http-client';
import { DEFAULT_RETRY_AFTER_MAX_MS, type RetryAfterPolicy } from '../client/retry-after';
import type { Environment } from '../environment';
import { User } from './user';

const CLASS_RETRY_AFTER: RetryAfterPolicy = Object.freeze({ maxMs: DEFAULT_RETRY_AFTER_MAX_MS });

/**
 * A user with `this.client`, an HTTP client on its own keep-alive connection to `--host` (or `static host`).
 *
 * @example
 * export class Reader extends HttpUser {
 *   static host = 'http://127.0.0.1:8080';
 *   waitTime = between(1, 3);
 *   @task(3) async list() { await this.client.get('/users', { query: { limit: 10 } }); }
 *   @task async one() { await this.client.get(`/users/${1 + Math.floor(Math.random() * 100)}`); }
 * }
 */
export class HttpUser extends User {
  static override abstract = true;
  /**
   * Wait out a 429's or 503's Retry-After (at most 30 s) before going on, as a well-behaved client does; the run's
   * `--honor-retry-after` turns it on for every class. Default false: a 429 is counted as throttled and the task
   * goes on at once.
   */
  static honorRetryAfter = false;
  readonly client: HttpClient;

  constructor(environment: Environment) {
    super(environment);
    const cls = this.constructor as typeof HttpUser;
    const host = environment.host || cls.host;
    if (!host) throw new Error(`${cls.name} has no host: pass --host or set static host`);
    this.client = new HttpClient({
      baseUrl: host,
      events: environment.events,
      instanceHeader: environment.instanceHeader,
      timeoutMs: environment.timeoutMs,
      localAddress: environment.localAddress,
      // The environment's own function (its callbacks do not use `this`): no closure per user.
      onInterrupted: environment.onInterrupted,
      retryAfter: environment.retryAfter ?? (cls.honorRetryAfter ? CLASS_RETRY_AFTER : null),
      onRetryAfterWait: environment.onRetryAfterWait,
    });
  }

  override afterTask(): void {
    this.client.endOfTask();
  }

  override setLateness(ms: number | null): void {
    this.client.latenessMs = ms;
  }

  override async dispose(force: boolean): Promise<void> {
    if (force) await this.client.destroy();
    else await this.client.close();
  }
}
