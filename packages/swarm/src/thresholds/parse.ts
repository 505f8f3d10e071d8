/** The metrics a threshold can test. */
export type Metric =
  | { kind: 'percentile'; p: number }
  /** Over the per-second series of the totals: N is a window (recovery) or a warm-up (hit ratio), in seconds. */
  | { kind: 'recovery_p95_ratio' | 'warm_hit_ratio'; seconds: number }
  /** Of the whole run (open model): iterations dropped, and their share of the iterations due. */
  | { kind: 'dropped' | 'dropped_rate'; run: true }
  /**
   * Of the fault windows (`summary.recovery`): the worst time to recover (s), the failures within the windows and
   * their recovery, the shortest time to a first failure (s), the p95 within the windows over the p95 before them.
   */
  | { kind: 'recovery_s' | 'fault_failures' | 'time_to_first_failure' | 'fault_p95_ratio'; fault: true }
  /** A custom counter (`environment.metrics.add`, a teardown's `metrics`, `options.metrics`). */
  | { kind: 'custom'; name: string }
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
  /** `recovery_s{label}`, `time_to_first_failure{label}`: the fault window(s) of that label (or id). */
  label?: string;
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
const FAULT = new Set(['recovery_s', 'fault_failures', 'time_to_first_failure', 'fault_p95_ratio']);
/** Fault metrics whose `{...}` names a fault window (by label or id) rather than an endpoint. */
const BY_LABEL = new Set(['recovery_s', 'time_to_first_failure']);
const ALIASES: Record<string, string> = { failure_rate: 'rate', median: 'med', p50: 'med' };
const METHODS = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(.+)$/;
const SHAPE =
  /^\s*([a-z_][a-z0-9_]*(?:\(\s*[\d.]+\s*\))?)\s*(?:\{([^}]*)\})?\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/i;

export const THRESHOLD_HELP =
  'metric[{[METHOD ]name}] op number, where metric is p(N), avg, min, max, med, rate (failure rate), ' +
  'hit_ratio, instance_skew, instances, cache_p50_ratio, rps, throttle_rate or count, or on the totals ' +
  'recovery_p95_ratio(S), warm_hit_ratio(S), dropped or dropped_rate (open model); of the fault windows ' +
  'recovery_s[{label}] (worst time to recover, s), fault_failures[{[METHOD ]name}], time_to_first_failure[{label}] ' +
  '(s), fault_p95_ratio[{[METHOD ]name}] (p95 within the fault windows over p95 before the first); ' +
  "or a custom metric by its name (environment.metrics.add, options.metrics, a teardown's metrics); " +
  "op is <, <=, >, >=, == or !=; e.g. 'p(95)<500', 'rate<0.01', 'p(99){GET /users/:id}<800', " +
  "'recovery_s<10', 'fault_failures{GET /api/users/:id}==0', 'lost_writes==0'";

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
  } else if (FAULT.has(rawMetric!.toLowerCase())) {
    metric = { kind: rawMetric!.toLowerCase() as 'recovery_s', fault: true };
  } else {
    const name = ALIASES[rawMetric!.toLowerCase()] ?? rawMetric!.toLowerCase();
    if (NAMED.has(name)) {
      metric = {
        kind: name as Exclude<
          Metric,
          { kind: 'percentile' | 'custom' } | { seconds: number } | { run: true } | { fault: true }
        >['kind'],
      };
    } else if (sm !== null || /^p\d/i.test(rawMetric!)) {
      // `p95`, `foo(3)`: a built-in mistyped, not a counter's name.
      throw new Error(`bad threshold "${expression}": unknown metric "${rawMetric}"; use ${THRESHOLD_HELP}`);
    } else {
      // Built-in names win; any other is a custom counter's, checked against the run's counters at the end.
      if (selector !== undefined) {
        throw new Error(`bad threshold "${expression}": custom metric ${rawMetric} takes no {} selector`);
      }
      metric = { kind: 'custom', name: rawMetric! };
    }
  }
  const value = Number(rawValue);
  if (!Number.isFinite(value))
    throw new Error(`bad threshold "${expression}": "${rawValue}" is not a number`);
  let endpoint: Threshold['endpoint'] = null;
  if (selector !== undefined) {
    const text = selector.trim();
    if (text === '') throw new Error(`bad threshold "${expression}": empty {} selector`);
    if (BY_LABEL.has(metric.kind)) {
      return {
        expression: expression.trim(),
        metric,
        op: op as Operator,
        value,
        endpoint: null,
        label: text,
      };
    }
    const mm = METHODS.exec(text);
    endpoint = mm ? { method: mm[1]!, name: mm[2]!.trim() } : { method: null, name: text };
  }
  return { expression: expression.trim(), metric, op: op as Operator, value, endpoint };
}
