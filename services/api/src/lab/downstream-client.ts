import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { HttpError, serviceUnavailable } from '../errors';
import type { BreakerState, DownstreamOutcome } from './metrics';

export interface DownstreamClientOptions {
  /** DOWNSTREAM_URL: the service's base URL; calls go to its `/work`. */
  url: string;
  /** DOWNSTREAM_PROTECTION: off calls straight through (bounded only by UNPROTECTED_TIMEOUT_MS). */
  protection: boolean;
  timeoutMs: number;
  breakerFailures: number;
  halfOpenAfterMs: number;
  bulkheadLimit: number;
  bulkheadQueue: number;
  onCall: (outcome: DownstreamOutcome, seconds: number) => void;
  onBreaker: (state: BreakerState) => void;
}

/** Without protection a call still ends: after this long (nginx has long given up on its client by then). */
export const UNPROTECTED_TIMEOUT_MS = 60_000;

/** The downstream answered with an error status. */
class DownstreamFailed extends Error {
  constructor(readonly status: number) {
    super(`downstream answered ${status}`);
  }
}

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

/**
 * The replica's client of the downstream service. With protection (cockatiel): a bulkhead (at most
 * `bulkheadLimit` calls at once, `bulkheadQueue` more waiting, the rest refused at once) around a circuit breaker
 * (open after `breakerFailures` failures in a row, a trial call after `halfOpenAfterMs`, closed again when it
 * succeeds) around a timeout (`timeoutMs`, aborting the request). Each refusal becomes the API's error: 502
 * DOWNSTREAM_FAILED / DOWNSTREAM_UNREACHABLE, 504 DOWNSTREAM_TIMEOUT, 503 DOWNSTREAM_UNAVAILABLE (breaker open)
 * or DOWNSTREAM_BUSY (bulkhead full), with `Retry-After` on the 503s.
 *
 * @example const client = createDownstreamClient({ url: 'http://127.0.0.1:8500', protection: true, ... });
 *          await client.call(); // { ok: true, instance: 'downstream', delayMs: 12 }
 */
export function createDownstreamClient(o: DownstreamClientOptions) {
  const workUrl = new URL('/work', o.url).href;

  async function once(signal: AbortSignal): Promise<unknown> {
    const res = await fetch(workUrl, { signal });
    const text = await res.text();
    if (!res.ok) throw new DownstreamFailed(res.status);
    return JSON.parse(text);
  }

  const retryAfterS = Math.max(1, Math.ceil(o.halfOpenAfterMs / 1000));
  function translate(err: unknown): [DownstreamOutcome, Error] {
    if (err instanceof DownstreamFailed)
      return [
        'failed',
        new HttpError(502, 'DOWNSTREAM_FAILED', `the downstream service failed (${err.status})`),
      ];
    if (err instanceof BrokenCircuitError)
      return [
        'breaker_open',
        serviceUnavailable(
          'DOWNSTREAM_UNAVAILABLE',
          'the downstream service is failing, so calls to it are paused (circuit breaker open)',
          retryAfterS,
        ),
      ];
    if (err instanceof BulkheadRejectedError)
      return [
        'bulkhead_full',
        serviceUnavailable('DOWNSTREAM_BUSY', 'too many calls to the downstream service wait already'),
      ];
    if (err instanceof TaskCancelledError || (err instanceof DOMException && err.name === 'TimeoutError'))
      return [
        'timeout',
        new HttpError(504, 'DOWNSTREAM_TIMEOUT', 'the downstream service did not answer in time'),
      ];
    return [
      'unreachable',
      new HttpError(502, 'DOWNSTREAM_UNREACHABLE', 'the downstream service cannot be reached'),
    ];
  }

  let run: () => Promise<unknown>;
  let readBulkhead: (() => { active: number; queued: number }) | undefined;
  let breakerState: () => BreakerState = () => 'closed';
  if (o.protection) {
    const breaker = circuitBreaker(handleAll, {
      halfOpenAfter: o.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(o.breakerFailures),
    });
    breaker.onStateChange((state) => o.onBreaker(BREAKER_STATES[state]));
    const limit = bulkhead(o.bulkheadLimit, o.bulkheadQueue);
    // Aggressive: the call is given up at the timeout even while fetch is still reading; the signal aborts it too.
    const policy = wrap(limit, breaker, timeout(o.timeoutMs, TimeoutStrategy.Aggressive));
    run = () => policy.execute(({ signal }) => once(signal));
    readBulkhead = () => ({
      active: o.bulkheadLimit - limit.executionSlots,
      queued: o.bulkheadQueue - limit.queueSlots,
    });
    breakerState = () => BREAKER_STATES[breaker.state];
  } else {
    run = () => once(AbortSignal.timeout(UNPROTECTED_TIMEOUT_MS));
  }

  return {
    readBulkhead,
    breakerState: () => breakerState(),
    /** One call of `/work`: its JSON body, or an `HttpError` the error handler answers. */
    async call(): Promise<unknown> {
      const start = performance.now();
      try {
        const body = await run();
        o.onCall('ok', (performance.now() - start) / 1000);
        return body;
      } catch (err) {
        const [outcome, answer] = translate(err);
        o.onCall(outcome, (performance.now() - start) / 1000);
        throw answer;
      }
    },
  };
}

export type DownstreamClient = ReturnType<typeof createDownstreamClient>;
