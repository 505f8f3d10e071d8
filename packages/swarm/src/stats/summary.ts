import { mergeAnnotations } from './annotations';
import { mergeMetrics } from './custom-metrics';
import { mergeEndpointSeries } from './endpoint-series';
import { describeEntry, entryFromSummary, type SummaryClock } from './entry-summary';
import type { RequestStats } from './request-stats';
import { mergeRunFacts } from './run-facts';
import type { StatsEntry } from './stats-entry';
import {
  type ErrorSummary,
  type ExceptionSummary,
  type MonitorSummary,
  READABLE_SCHEMAS,
  type RunConfigSummary,
  type ServerSummary,
  SUMMARY_SCHEMA,
  type Summary,
  type ThresholdResult,
} from './summary-types';
import { mergeTimeSeries } from './time-series';

/** Most frequent first; ties in a fixed order so that a merge lists errors as the whole run would. */
function byOccurrences(a: ErrorSummary, b: ErrorSummary): number {
  return (
    b.occurrences - a.occurrences ||
    a.name.localeCompare(b.name) ||
    a.method.localeCompare(b.method) ||
    a.error.localeCompare(b.error)
  );
}

function byCount(a: ExceptionSummary, b: ExceptionSummary): number {
  return b.count - a.count || a.task.localeCompare(b.task) || a.message.localeCompare(b.message);
}

export interface SummaryOptions {
  /** Epoch ms at which the summary is taken; defaults to the stats' end time. */
  nowMs?: number;
  config: RunConfigSummary;
  thresholds?: ThresholdResult[];
  monitor?: MonitorSummary | null;
}

function clockOf(startedAt: number, endedAt: number): SummaryClock {
  return {
    durationS: Math.max(0, (endedAt - startedAt) / 1000),
    endS: endedAt / 1000,
    startS: startedAt / 1000,
  };
}

/**
 * The `Summary` of a run (pure): what every reporter renders and what workers send to their parent.
 *
 * @example
 * const summary = toSummary(stats, { config });
 * console.log(summary.total.percentiles['95']);
 */
export function toSummary(stats: RequestStats, options: SummaryOptions): Summary {
  const endedAt = options.nowMs ?? stats.endedAt ?? stats.startedAt;
  const clock = clockOf(stats.startedAt, endedAt);
  // A live summary has a partly filled current second: the current rates then use the complete seconds only, as
  // Locust's do. A finished run's last second is complete at its end, and counts for the time it lasted.
  if (options.nowMs !== undefined && stats.endedAt === null) clock.endS = Math.floor(endedAt / 1000);
  const errors: ErrorSummary[] = [...stats.errors.values()].map((e) => ({ ...e }));
  const exceptions: ExceptionSummary[] = [...stats.exceptions.values()].map((e) => ({ ...e }));
  return {
    schema: SUMMARY_SCHEMA,
    startedAt: stats.startedAt,
    endedAt,
    durationS: clock.durationS,
    config: options.config,
    total: describeEntry(stats.total, clock),
    endpoints: stats.sortedEntries().map((e) => describeEntry(e, clock)),
    errors: errors.sort(byOccurrences),
    exceptions: exceptions.sort(byCount),
    dropped: stats.dropped,
    iterations: stats.iterations,
    interrupted: stats.interrupted,
    timeSeries: [...stats.timeSeries.points],
    thresholds: options.thresholds ?? [],
    monitor: options.monitor ?? null,
    annotations: [],
    metrics: {},
    recovery: [],
  };
}

function mergeMonitors(monitors: Array<MonitorSummary | null>): MonitorSummary | null {
  const present = monitors.filter((m): m is MonitorSummary => m !== null);
  if (present.length === 0) return null;
  const warnings = present.map((m) => m.warning).filter((w): w is string => w !== null);
  return {
    cpuPercent: present.reduce((s, m) => s + m.cpuPercent, 0),
    eventLoopLagP99Ms: Math.max(...present.map((m) => m.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(...present.map((m) => m.eventLoopLagMaxMs)),
    maxRssMb: present.reduce((s, m) => s + m.maxRssMb, 0),
    warning: warnings.length === 0 ? null : [...new Set(warnings)].join('; '),
  };
}

/**
 * The servers' series of several parts (segments whose runs each queried Prometheus, or one that did): one series
 * per name and label set, their points joined by second; the queries and warnings of every part, once each.
 */
export function mergeServers(parts: ReadonlyArray<ServerSummary | undefined>): ServerSummary | undefined {
  const present = parts.filter((p): p is ServerSummary => p !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  const queries = new Map<string, ServerSummary['queries'][number]>();
  const series = new Map<string, { s: ServerSummary['series'][number]; at: Map<number, number> }>();
  for (const part of present) {
    for (const q of part.queries)
      if (!queries.has(q.name) || queries.get(q.name)!.error) queries.set(q.name, q);
    for (const x of part.series) {
      const key = `${x.name}\u0000${JSON.stringify(Object.entries(x.labels).sort())}`;
      const seen = series.get(key) ?? { s: x, at: new Map<number, number>() };
      for (const [t, v] of x.points) seen.at.set(t, v);
      series.set(key, seen);
    }
  }
  return {
    source: present[0]!.source,
    stepS: present[0]!.stepS,
    queries: [...queries.values()],
    series: [...series.values()].map(({ s, at }) => ({
      ...s,
      points: [...at].sort((a, b) => a[0] - b[0]),
    })),
    warnings: [...new Set(present.flatMap((p) => p.warnings))],
  };
}

/** The segments' `--source-address`es, each once in order (absent when none had one). */
function mergedSourceAddresses(parts: readonly Summary[]): { sourceAddresses?: string[] } {
  const all = [...new Set(parts.flatMap((p) => p.config.sourceAddresses ?? []))];
  return all.length > 0 ? { sourceAddresses: all } : {};
}

const sumOrNull = (xs: Array<number | null>) =>
  xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + (x ?? 0), 0);

/**
 * Merges the summaries of worker processes or of segments into the summary of the whole run, exactly:
 * histograms are merged (never averaged) and counts added. Thresholds are left empty for the caller to
 * evaluate on the merged result.
 *
 * @example
 * const whole = mergeSummaries([partOne, partTwo]);
 */
export function mergeSummaries(parts: Summary[]): Summary {
  if (parts.length === 0) throw new Error('mergeSummaries needs at least one summary');
  const startedAt = Math.min(...parts.map((p) => p.startedAt));
  const endedAt = Math.max(...parts.map((p) => p.endedAt));
  const clock = clockOf(startedAt, endedAt);
  const byKey = new Map<string, StatsEntry>();
  const total = entryFromSummary(parts[0]!.total);
  for (const part of parts.slice(1)) total.merge(entryFromSummary(part.total));
  for (const part of parts) {
    for (const s of part.endpoints) {
      const key = `${s.method}\u0000${s.name}`;
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, entryFromSummary(s));
      else seen.merge(entryFromSummary(s));
    }
  }
  const errors = new Map<string, ErrorSummary>();
  const exceptions = new Map<string, ExceptionSummary>();
  for (const part of parts) {
    for (const e of part.errors) {
      const key = `${e.method}\u0000${e.name}\u0000${e.error}`;
      const seen = errors.get(key);
      if (seen === undefined) errors.set(key, { ...e });
      else seen.occurrences += e.occurrences;
    }
    for (const x of part.exceptions) {
      const key = `${x.task}\u0000${x.message}`;
      const seen = exceptions.get(key);
      const nodes = x.nodes ?? [part.config.segment ?? 'local'];
      if (seen === undefined) exceptions.set(key, { ...x, nodes: [...nodes] });
      else {
        seen.count += x.count;
        seen.traceback ??= x.traceback;
        seen.nodes = [...new Set([...(seen.nodes ?? []), ...nodes])];
      }
    }
  }
  const first = parts[0]!.config;
  const server = mergeServers(parts.map((p) => p.server));
  const endpoints = [...byKey.values()].sort((a, b) =>
    a.name === b.name ? a.method.localeCompare(b.method) : a.name < b.name ? -1 : 1,
  );
  return {
    schema: SUMMARY_SCHEMA,
    startedAt,
    endedAt,
    durationS: clock.durationS,
    config: {
      ...first,
      users: sumOrNull(parts.map((p) => p.config.users)),
      spawnRate: sumOrNull(parts.map((p) => p.config.spawnRate)),
      rate: sumOrNull(parts.map((p) => p.config.rate)),
      processes: parts.reduce((s, p) => s + p.config.processes, 0),
      segment: null,
      userClasses: [...new Set(parts.flatMap((p) => p.config.userClasses))],
      ...mergedSourceAddresses(parts),
    },
    total: describeEntry(total, clock),
    endpoints: endpoints.map((e) => describeEntry(e, clock)),
    errors: [...errors.values()].sort(byOccurrences),
    exceptions: [...exceptions.values()].sort(byCount),
    dropped: parts.reduce((s, p) => s + p.dropped, 0),
    iterations: parts.reduce((s, p) => s + p.iterations, 0),
    interrupted: parts.reduce((s, p) => s + (p.interrupted ?? 0), 0),
    timeSeries: mergeTimeSeries(parts.map((p) => p.timeSeries)),
    ...(parts.some((p) => p.endpointSeries) && {
      endpointSeries: mergeEndpointSeries(parts.map((p) => p.endpointSeries ?? [])),
    }),
    thresholds: [],
    monitor: mergeMonitors(parts.map((p) => p.monitor)),
    ...mergeRunFacts(parts),
    ...(server && { server }),
    annotations: mergeAnnotations(parts.map((p) => p.annotations)),
    metrics: mergeMetrics(parts.map((p) => p.metrics)),
    // Recomputed on the merged series by the caller (`withRecovery`), which knows its parameters.
    recovery: [],
  };
}

/**
 * Checks that parsed JSON is a summary this version can read, and brings an older one up to this schema in place
 * (a v1 summary's `annotations`, `metrics` and `recovery` read as empty); throws an Error naming what is wrong.
 */
export function assertSummary(value: unknown, source: string): asserts value is Summary {
  const v = value as Partial<Omit<Summary, 'schema'>> & { schema?: unknown };
  if (v === null || typeof v !== 'object') throw new Error(`${source}: not a JSON object`);
  if (typeof v.schema !== 'string' || !READABLE_SCHEMAS.includes(v.schema)) {
    throw new Error(
      `${source}: schema is ${JSON.stringify(v.schema)}, expected ${READABLE_SCHEMAS.map((x) => `"${x}"`).join(' or ')}`,
    );
  }
  if (
    typeof v.total !== 'object' ||
    v.total === null ||
    !Array.isArray(v.endpoints) ||
    !Array.isArray(v.timeSeries)
  ) {
    throw new Error(`${source}: missing total, endpoints or timeSeries`);
  }
  v.schema = SUMMARY_SCHEMA;
  v.annotations ??= [];
  v.metrics ??= {};
  v.recovery ??= [];
}
