/** The metrics a threshold can test. */
export type Metric =
  | { kind: 'percentile'; p: number }
  /** Over the per-second series of the totals: N is a window (recovery) or a warm-up (hit ratio), in seconds. */
  | { kind: 'recovery_p95_ratio' | 'warm_hit_ratio'; seconds: number }
  /** Of the whole run (open model): iterations dropped, and their share of the iterations due. */
  | { kind: 'dropped' | 'dropped_rate'; run: true }
  | {
      kind:
        | 'avg'
        | 'min'
        | 'max'
        | 'med'
        | 'rate'
        | 'hit_ratio'
        | 'instance_skew'
        | 'rps'
        | 'throttle_rate'
        | 'count'
        | 'instances'
        | 'cache_p50_ratio';
    };

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** One parsed threshold; `endpoint` selects one row (method optional), otherwise the totals. */
export interface Threshold {
  expression: string;
  metric: Metric;
  op: Operator;
  value: number;
  endpoint: { method: string | null; name: string } | null;
}

const NAMED = new Set([
  'avg',
  'min',
  'max',
  'med',
  'rate',
  'hit_ratio',
  'instance_skew',
  'rps',
  'throttle_rate',
  'count',
  'instances',
  'cache_p50_ratio',
]);
const SERIES = new Set(['recovery_p95_ratio', 'warm_hit_ratio']);
const RUN = new Set(['dropped', 'dropped_rate']);
const ALIASES: Record<string, string> = { failure_rate: 'rate', median: 'med', p50: 'med' };
const METHODS = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(.+)$/;
const SHAPE =
  /^\s*([a-z_][a-z0-9_]*(?:\(\s*[\d.]+\s*\))?)\s*(?:\{([^}]*)\})?\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/i;

export const THRESHOLD_HELP =
  'metric[{[METHOD ]name}] op number, where metric is p(N), avg, min, max, med, rate (failure rate), ' +
  'hit_ratio, instance_skew, instances, cache_p50_ratio, rps, throttle_rate or count, or on the totals ' +
  'recovery_p95_ratio(S), warm_hit_ratio(S), dropped or dropped_rate (open model), and op is <, <=, >, >=, ' +
  "== or !=; e.g. 'p(95)<500', 'rate<0.01', 'p(99){GET /users/:id}<800', 'dropped_rate<0.01'";

/**
 * Parses a k6-style threshold (pure). Times are milliseconds, rates are fractions. Throws an Error that quotes
 * the expression and the accepted forms.
 *
 * @example
 * parseThreshold('p(95)<500'); // { metric: { kind: 'percentile', p: 95 }, op: '<', value: 500, endpoint: null }
 * parseThreshold('hit_ratio{GET /users/:id}>0.8');
 */
export function parseThreshold(expression: string): Threshold {
  const m = SHAPE.exec(expression);
  if (m === null) throw new Error(`bad threshold "${expression}": use ${THRESHOLD_HELP}`);
  const [, rawMetric, selector, op, rawValue] = m;
  let metric: Metric;
  const pm = /^p\(\s*([\d.]+)\s*\)$/i.exec(rawMetric!);
  const sm = /^([a-z_][a-z0-9_]*)\(\s*([\d.]+)\s*\)$/i.exec(rawMetric!);
  if (sm !== null && SERIES.has(sm[1]!.toLowerCase())) {
    const seconds = Number(sm[2]);
    if (!(seconds > 0)) throw new Error(`bad threshold "${expression}": ${sm[1]}(S) needs S > 0 seconds`);
    if (selector !== undefined)
      throw new Error(`bad threshold "${expression}": ${sm[1]} applies to the totals only`);
    metric = { kind: sm[1]!.toLowerCase() as 'recovery_p95_ratio' | 'warm_hit_ratio', seconds };
  } else if (pm !== null) {
    const p = Number(pm[1]);
    if (!(p > 0 && p <= 100)) throw new Error(`bad threshold "${expression}": p(N) needs 0 < N ≤ 100`);
    metric = { kind: 'percentile', p };
  } else if (RUN.has(rawMetric!.toLowerCase())) {
    if (selector !== undefined) {
      throw new Error(`bad threshold "${expression}": ${rawMetric} is of the whole run, not of one endpoint`);
    }
    metric = { kind: rawMetric!.toLowerCase() as 'dropped' | 'dropped_rate', run: true };
  } else {
    const name = ALIASES[rawMetric!.toLowerCase()] ?? rawMetric!.toLowerCase();
    if (!NAMED.has(name))
      throw new Error(`bad threshold "${expression}": unknown metric "${rawMetric}"; use ${THRESHOLD_HELP}`);
    metric = {
      kind: name as Exclude<Metric, { kind: 'percentile' } | { seconds: number } | { run: true }>['kind'],
    };
  }
  const value = Number(rawValue);
  if (!Number.isFinite(value))
    throw new Error(`bad threshold "${expression}": "${rawValue}" is not a number`);
  let endpoint: Threshold['endpoint'] = null;
  if (selector !== undefined) {
    const text = selector.trim();
    if (text === '') throw new Error(`bad threshold "${expression}": empty {} selector`);
    const mm = METHODS.exec(text);
    endpoint = mm ? { method: mm[1]!, name: mm[2]!.trim() } : { method: null, name: text };
  }
  return { expression: expression.trim(), metric, op: op as Operator, value, endpoint };
}
