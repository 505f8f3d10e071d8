/**
 * The one serialisable data shape of a run's results. Every reporter renders it, thresholds evaluate it, worker
 * processes send it to their parent and `swarm merge` reads it back; histograms travel encoded so that merges are
 * exact. Times are milliseconds unless a field says otherwise. Changing a field is a schema change: bump `schema`.
 */
export const SUMMARY_SCHEMA = 'swarm.summary/v2';

/**
 * The schemas this version reads: v1 lacks `annotations`, `metrics` and `recovery`, which read as empty (see
 * `upgradeSummary`).
 */
export const READABLE_SCHEMAS: readonly string[] = ['swarm.summary/v1', SUMMARY_SCHEMA];

/** Locust's percentile columns, as keys of `EntrySummary.percentiles`. */
export const PERCENTILES = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100] as const;

export type Percentiles = Record<string, number>;

export interface CacheSummary {
  requests: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  /** Exact fastest and slowest of these requests, which bound their percentiles; absent in older summaries. */
  minMs?: number;
  maxMs?: number;
  /** Exact sum of response times in whole microseconds, kept so merges stay exact. */
  sumUs: number;
  hist: string;
}

export interface ServiceTimeSummary {
  avgMs: number;
  /** Exact extremes of the service time (so `percentiles['100']` is `maxMs`); absent in older summaries. */
  minMs?: number;
  maxMs?: number;
  sumUs: number;
  percentiles: Percentiles;
  hist: string;
}

export interface EntrySummary {
  method: string;
  name: string;
  requests: number;
  failures: number;
  /** 429 answers; not failures. */
  throttled: number;
  bytes: number;
  avgBytes: number;
  sumUs: number;
  minMs: number;
  maxMs: number;
  avgMs: number;
  medianMs: number;
  /**
   * Keys are `PERCENTILES` as strings: '50', '95', '99.9', ... Each lies within [`minMs`, `maxMs`] and '100' is
   * `maxMs` (a histogram alone would give the top of the max's bucket, up to 0.1 % above it).
   */
  percentiles: Percentiles;
  /** Over the whole run. */
  rps: number;
  failRps: number;
  /** Over the sliding window (the last 10 s) at the time of the summary. */
  currentRps: number;
  currentFailRps: number;
  /** Requests per value of the instance header. */
  instances: Record<string, number>;
  /** Per `X-Cache` value. */
  cache: Record<string, CacheSummary>;
  /** Open model: the plain service time beside the corrected `percentiles`. */
  service?: ServiceTimeSummary;
  hist: string;
}

export interface ErrorSummary {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

export interface ExceptionSummary {
  task: string;
  message: string;
  count: number;
  /** The stack trace of the first occurrence (Locust's Traceback column); absent in older summaries. */
  traceback?: string;
  /** Where it happened: `local`, or the segments (`1/2`) of a merged run; absent in older summaries. */
  nodes?: string[];
}

export interface TimePoint {
  /** Epoch second. */
  t: number;
  users: number;
  requests: number;
  failures: number;
  p50Ms: number;
  p95Ms: number;
  /** Exact fastest and slowest request of this second (bounds of its percentiles); absent without requests. */
  minMs?: number;
  maxMs?: number;
  hist: string;
  /** Body bytes received this second (absent in summaries from before it was recorded). */
  bytes?: number;
  /** Requests finished this second per value of the instance header. */
  instances: Record<string, number>;
  /** Requests finished this second per `X-Cache` value. */
  cache: Record<string, number>;
  /**
   * The engine's CPU this second, percent of one core (the busiest worker's after a merge). Absent in summaries
   * from before it was recorded, and for a second no sample covered.
   */
  engineCpuPercent?: number;
  /** The engine's event-loop lag p99 this second, ms (the worst worker's after a merge); absent like the CPU. */
  eventLoopLagMs?: number;
  /**
   * Open model only: iterations due this second (the offered, target rate; the sum over segments after a merge).
   * Absent for the closed model and in summaries from before it was recorded.
   */
  offered?: number;
  /** Open model only: iterations dropped this second (never started within `--max-delay`); absent like `offered`. */
  dropped?: number;
  /**
   * Requests and failures (by status) this second per row, keyed `METHOD name`: what recovery per fault window
   * is computed from. Absent in summaries from before it was recorded.
   */
  endpoints?: Record<string, EndpointSecond>;
}

/** One (method, name) row's share of one second of `timeSeries` (see `TimePoint.endpoints`). */
export interface EndpointSecond {
  requests: number;
  failures: number;
  /** Failures by HTTP status (`'503'`; `'0'` when no response arrived). */
  statuses: Record<string, number>;
}

/**
 * A mark on the run's timeline: an instant (`end` absent) or a window [`at`, `end`), e.g. a fault the mode runner
 * applied ("app2 killed", "redis frozen 10 s") or a note of the scenario's. Epoch milliseconds.
 */
export interface Annotation {
  /** Names the annotation, so a later line or `endAnnotation(id)` can update it (e.g. to set `end`). */
  id?: string;
  at: number;
  end?: number;
  label: string;
  /** e.g. `fault` (measured by `recovery`), `note`, `swarm` (Swarm's own marks). */
  kind?: string;
  /** Who made it, e.g. `mode-runner`, `scenario`, `swarm`. */
  source?: string;
  /**
   * A fault window's recovery is measured from its end (default), or from its start (`'start'`): a kill whose
   * part is started again later, where the question is how soon the rest routes around it.
   */
  recoverFrom?: 'start' | 'end';
}

/** One row of a fault window's requests: by endpoint, failures by status, over the window and its recovery. */
export interface RecoveryEndpoint {
  method: string;
  name: string;
  requests: number;
  failures: number;
  statuses: Record<string, number>;
}

/** How the run went through one fault window (an annotation of kind `fault`): see `stats/recovery.ts`. */
export interface RecoveryEntry {
  label: string;
  id?: string;
  /** Epoch ms of the fault's start and, for a window, its end. */
  at: number;
  end?: number;
  /** Requests and failures that finished within the fault window itself (an instant: its own second). */
  requests: number;
  failures: number;
  /** Seconds from the fault's start to the first failure; null when none came before it recovered. */
  firstFailureS: number | null;
  /** p95 of the seconds before the fault (up to `baselineS`), null when there were none. */
  baselineP95Ms: number | null;
  /** Seconds from the window's end (an instant: its `at`) until healthy, held; null when it never was. */
  recoveryS: number | null;
  /** Why `recoveryS` is null (never recovered within the run, or interrupted by the next fault). */
  reason?: string;
  /** Measured from the fault's start (its annotation's `recoverFrom`), not its end. */
  recoverFrom?: 'start';
  /** Failures from the fault's start until it recovered (or the run ended): `fault_failures`' count. */
  faultFailures: number;
  /** The same span's rows. */
  endpoints: RecoveryEndpoint[];
}

/** One second of one (method, name) row: kept with `--csv-full-history` (Locust's history row per endpoint). */
export interface EndpointPoint {
  /** Epoch second. */
  t: number;
  method: string;
  name: string;
  requests: number;
  failures: number;
  bytes: number;
  minMs: number;
  maxMs: number;
  hist: string;
}

/** A named series over the run's time axis, e.g. a Prometheus range query's result: `[epoch s, value]` pairs. */
export interface ServerSeries {
  name: string;
  labels: Record<string, string>;
  points: Array<[t: number, v: number]>;
}

/** One query `swarm run --prometheus URL` ran at the end of the run. */
export interface ServerQuerySummary {
  /** The series' name (the chart's title), e.g. `process_cpu_cores`. */
  name: string;
  /** PromQL, as sent to `/api/v1/query_range`. */
  query: string;
  /** What its values are in, e.g. `cores`, `s`; shown beside the chart's title. */
  unit: string;
  /** Why it gave no series (Prometheus unreachable, a bad query); absent when it answered. */
  error?: string;
}

/**
 * The servers' own view of the run (`swarm run --prometheus URL`): each query's result over the run's window at a
 * 1 s step, on the same epoch seconds as `timeSeries`. Absent without `--prometheus` and in older summaries.
 */
export interface ServerSummary {
  /** The Prometheus base URL queried. */
  source: string;
  stepS: number;
  queries: ServerQuerySummary[];
  /** One per returned label set (e.g. per replica), named after its query. */
  series: ServerSeries[];
  /** What went wrong, in words (also on stderr); the run's verdict is unaffected. */
  warnings: string[];
}

/** A titled table that a scenario's teardown adds to the reports (e.g. the servers' own counts). */
export interface ReportSection {
  title: string;
  columns: string[];
  rows: Array<Array<string | number | null>>;
  note?: string;
}

export interface ThresholdResult {
  expression: string;
  /** The measured value, or null when the metric has no data (e.g. no such endpoint). */
  actual: number | null;
  ok: boolean;
  /** Why it has no value, when that needs saying (e.g. `no metric named lost_writes`). */
  message?: string;
}

export interface MonitorSummary {
  /** CPU used by the engine process(es), percent of one core, averaged over the run. */
  cpuPercent: number;
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Peak resident memory of the engine process(es), MB (summed over workers). */
  maxRssMb: number;
  /** Set when the generator, not the target, was likely the bottleneck. */
  warning: string | null;
}

export interface RunConfigSummary {
  host: string;
  users: number | null;
  spawnRate: number | null;
  rate: number | null;
  runTimeS: number | null;
  processes: number;
  segment: string | null;
  instanceHeader: string;
  userClasses: string[];
  /** `--start-at`: the planned start, epoch ms (the first user started then, or at once if it was past). */
  startAt?: number;
  /** `--source-address`: the local addresses the requests were sent from (a merge lists each segment's once). */
  sourceAddresses?: string[];
}

/**
 * Why a run ended: its run time was up, its load shape returned null, every user stopped itself (`StopUser`), a
 * user called `environment.runner.quit()`, a signal (Ctrl-C, SIGTERM), its caller stopped it (the web UI's Stop),
 * or, for a segment of a `--processes` run, its worker was lost; `slo_broken`: `--abort-on`'s SLO broke for
 * `breakSeconds` seconds in a row (k6's abortOnFail), so the run stopped rather than go on hammering a broken target.
 */
export type StopReason =
  | 'run_time'
  | 'shape_end'
  | 'users_stopped'
  | 'quit'
  | 'signal'
  | 'stopped'
  | 'worker_lost'
  | 'slo_broken';

export interface StopSummary {
  reason: StopReason;
  /** The same in words, e.g. "run time 1m reached", "SIGTERM". */
  detail: string;
}

/** What a segment last reported before it was lost (a worker reports every 2 s). */
export interface LastReport {
  /** Epoch ms of the report. */
  at: number;
  durationS: number;
  users: number;
  requests: number;
  failures: number;
  rps: number;
  p95Ms: number;
  iterations: number;
  dropped: number;
}

/** A segment missing from a merged run: a worker that died, or a file `swarm merge --allow-partial` lacked. */
export interface MissingSegment {
  /** `i/n`. */
  segment: string;
  reason: string;
  /** Its last statistics before it was lost, counted in no other number; null when it reported none. */
  lastReport: LastReport | null;
}

export interface Summary {
  schema: typeof SUMMARY_SCHEMA;
  /**
   * Shared by every segment of one run (`--run-id`, else `SWARM_RUN_ID`, else chosen by the command); `swarm merge`
   * refuses segments of different runs. Absent in older summaries.
   */
  runId?: string;
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt: number;
  durationS: number;
  config: RunConfigSummary;
  total: EntrySummary;
  endpoints: EntrySummary[];
  errors: ErrorSummary[];
  exceptions: ExceptionSummary[];
  /** Open model: iterations that could not start in time. */
  dropped: number;
  /** Open model: iterations started. */
  iterations: number;
  /**
   * Requests cut short by a forced stop (the end of the run or a ramp-down, past `--stop-timeout`): sent, so the
   * target may have counted them, but in no other number here. Absent in summaries written before it existed.
   */
  interrupted?: number;
  timeSeries: TimePoint[];
  /** Per second and row, with `--csv-full-history` only (absent otherwise). */
  endpointSeries?: EndpointPoint[];
  thresholds: ThresholdResult[];
  /** Tables added by the scenario's teardown; absent when it added none. */
  sections?: ReportSection[];
  monitor: MonitorSummary | null;
  /**
   * With `--abort-on SLO`: the run's knee by that SLO, the break and what saturated first (`capacity.json`'s
   * content, schema `swarm.capacity/v1`). Absent otherwise.
   */
  capacity?: import('../capacity/capacity-json').CapacityJson;
  /** Why the run ended; absent in older summaries. */
  stop?: StopSummary;
  /**
   * Set when segments are missing from this result (a lost worker, `swarm merge --allow-partial`): its numbers are
   * those of the other segments only. Absent for a complete run.
   */
  partial?: { missing: MissingSegment[] };
  /** The servers' series from Prometheus (`--prometheus`); absent without it and in older summaries. */
  server?: ServerSummary;
  /** Marks on the timeline (faults, notes), sorted by `at`; empty when there are none (v1 summaries read as []). */
  annotations: Annotation[];
  /**
   * Custom counters (k6's Counter): `environment.metrics.add(name, n)` in users (summed over workers and
   * segments), a teardown's `metrics`, and the names `options.metrics` declares (0 until counted).
   */
  metrics: Record<string, number>;
  /** One entry per fault window (annotations of kind `fault`), in order; empty without faults. */
  recovery: RecoveryEntry[];
}
