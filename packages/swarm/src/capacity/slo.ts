import { parseThreshold } from '../thresholds/parse';
import type { LoadSecond } from './load-series';

/**
 * A service-level objective judged second by second. A second breaks it when any value goes above its limit;
 * every limit is inclusive (a p95 of exactly `latencyMs` holds), so 0 means "none at all".
 */
export interface Slo {
  /** The latency percentile judged; default 95. */
  percentile: number;
  /** Limit on that percentile, ms. */
  latencyMs: number;
  /** Limit on failures / requests of the second; default 0.01. */
  failureRate: number;
  /**
   * Limit on how far the achieved rate falls behind the offered one, 1 − achieved / offered; default 0.1. Only
   * judged when the offered rate is known, and only when more than one request is missing (a second's count is
   * whole, so at 5 req/s one late answer would already be 20 %).
   */
  shortfall: number;
  /** Limit on dropped iterations / offered (or / requests + dropped when the offer is unknown); default 0. */
  droppedRate: number;
}

export type SloInput = Partial<Slo> & Pick<Slo, 'latencyMs'>;

export const SLO_DEFAULTS: Omit<Slo, 'latencyMs'> = {
  percentile: 95,
  failureRate: 0.01,
  shortfall: 0.1,
  droppedRate: 0,
};

/** Why a second broke the SLO: `plateau` is the achieved rate falling behind the offered one. */
export type BreachKind = 'latency' | 'failures' | 'plateau' | 'dropped';

export interface Breach {
  kind: BreachKind;
  value: number;
  limit: number;
}

/** `idle`: nothing offered, nothing finished: no evidence either way. */
export type SecondVerdict = { status: 'ok' } | { status: 'idle' } | { status: 'breach'; breaches: Breach[] };

/**
 * Fills in the defaults and checks the values (pure); throws an Error that names the setting and its range.
 *
 * @example
 * resolveSlo({ latencyMs: 500 }); // { percentile: 95, latencyMs: 500, failureRate: 0.01, shortfall: 0.1, droppedRate: 0 }
 */
export function resolveSlo(input: SloInput): Slo {
  const slo = { ...SLO_DEFAULTS, ...input };
  const check = (ok: boolean, field: string, range: string, v: number) => {
    if (!ok) throw new Error(`SLO ${field} must be ${range}, got ${v}`);
  };
  check(slo.percentile > 0 && slo.percentile <= 100, 'percentile', 'within (0, 100]', slo.percentile);
  check(slo.latencyMs > 0 && Number.isFinite(slo.latencyMs), 'latencyMs', 'a positive number', slo.latencyMs);
  check(slo.failureRate >= 0 && slo.failureRate <= 1, 'failureRate', 'within [0, 1]', slo.failureRate);
  check(slo.shortfall >= 0 && slo.shortfall < 1, 'shortfall', 'within [0, 1)', slo.shortfall);
  check(slo.droppedRate >= 0 && slo.droppedRate <= 1, 'droppedRate', 'within [0, 1]', slo.droppedRate);
  return slo;
}

const SLO_HELP = "p(N)<ms, rate<fraction and dropped_rate<fraction on the totals, e.g. 'p(99)<800'";

/**
 * Reads an SLO from threshold expressions (pure), the same language as `--threshold`: `p(N)<ms` (required, one),
 * `rate<fraction` (failures) and `dropped_rate<fraction`; `<` and `<=` read alike. Other defaults as `resolveSlo`.
 *
 * @example
 * sloFromThresholds(['p(99)<800', 'rate<0.001']); // { percentile: 99, latencyMs: 800, failureRate: 0.001, ... }
 */
export function sloFromThresholds(expressions: readonly string[]): Slo {
  const input: Partial<Slo> = {};
  for (const expression of expressions) {
    const t = parseThreshold(expression);
    if ((t.op !== '<' && t.op !== '<=') || t.endpoint !== null) {
      throw new Error(`SLO "${expression}": use ${SLO_HELP}`);
    }
    if (t.metric.kind === 'percentile') {
      if (input.latencyMs !== undefined) throw new Error(`SLO "${expression}": one latency percentile only`);
      input.percentile = t.metric.p;
      input.latencyMs = t.value;
    } else if (t.metric.kind === 'rate') input.failureRate = t.value;
    else if (t.metric.kind === 'dropped_rate') input.droppedRate = t.value;
    else throw new Error(`SLO "${expression}": use ${SLO_HELP}`);
  }
  if (input.latencyMs === undefined) throw new Error(`SLO needs a latency percentile: ${SLO_HELP}`);
  return resolveSlo(input as SloInput);
}

/**
 * Judges one second against the SLO (pure). A second with a known offer but no answer is a `plateau` breach (a
 * stall); one with neither is `idle`.
 *
 * @example
 * judgeSecond({ t, offeredRps: 100, achievedRps: 80, latencyMs: 20, failures: 0, dropped: 0 }, slo);
 * // { status: 'breach', breaches: [{ kind: 'plateau', value: 0.2, limit: 0.1 }] }
 */
export function judgeSecond(p: LoadSecond, slo: Slo): SecondVerdict {
  const offered = p.offeredRps ?? 0;
  if (p.achievedRps === 0 && offered === 0 && p.dropped === 0) return { status: 'idle' };
  const breaches: Breach[] = [];
  if (p.latencyMs !== null && p.latencyMs > slo.latencyMs) {
    breaches.push({ kind: 'latency', value: p.latencyMs, limit: slo.latencyMs });
  }
  if (p.achievedRps > 0 && p.failures / p.achievedRps > slo.failureRate) {
    breaches.push({ kind: 'failures', value: p.failures / p.achievedRps, limit: slo.failureRate });
  }
  if (offered > 0) {
    const missing = offered - p.achievedRps;
    if (missing > 1 && missing / offered > slo.shortfall) {
      breaches.push({ kind: 'plateau', value: missing / offered, limit: slo.shortfall });
    }
  }
  if (p.dropped > 0) {
    const rate = p.dropped / (offered > 0 ? offered : p.achievedRps + p.dropped);
    if (rate > slo.droppedRate) breaches.push({ kind: 'dropped', value: rate, limit: slo.droppedRate });
  }
  return breaches.length === 0 ? { status: 'ok' } : { status: 'breach', breaches };
}
