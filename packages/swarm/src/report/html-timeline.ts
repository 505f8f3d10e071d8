import { CPU_WARN_PERCENT, LAG_WARN_MS, saturatedWindows } from '../monitor/saturation';
import type { Summary } from '../stats/summary-types';
import { type ChartAnnotation, lineChart as drawChart, type LineChartOptions } from './html-chart';
import { section } from './html-parts';

const SATURATED = 'generator saturated';

/**
 * The charts over time of the HTML report and the web UI (pure), from `timeSeries` (one point per second):
 * users, throughput, latency, the replicas' shares, the cache's warm-up and the engine's own CPU and event-loop
 * lag. Every chart shades the seconds where the generator was saturated, so a dip or a spike it caused is not
 * read as the target's. A chart whose data the run did not produce (no instance header, no X-Cache, a summary
 * without engine samples) is left out rather than drawn empty.
 */
export function timelineSection(s: Summary): string {
  const ts = s.timeSeries;
  const t0 = ts[0]?.t ?? 0;
  const xs = ts.map((p) => p.t - t0);
  const windows = saturatedWindows(ts);
  const notes = chartAnnotations(s, t0);
  const lineChart = (o: LineChartOptions) =>
    drawChart({ ...o, bands: windows, bandLabel: SATURATED, annotations: notes });
  // A second without answers has no latency: a gap, not a zero.
  const latency = (pick: (p: (typeof ts)[number]) => number) =>
    ts.map((p) => (p.requests === 0 ? null : pick(p)));
  const open = ts.some((p) => p.offered !== undefined);
  const markers = capacityMarkers(s, t0);
  const charts = [
    lineChart({
      id: 'users',
      title: 'Users',
      xs,
      series: [{ label: 'users', values: ts.map((p) => p.users) }],
    }),
    lineChart({
      id: 'throughput',
      title: 'Throughput',
      unit: 'per second',
      xs,
      series: [
        { label: 'requests/s', values: ts.map((p) => p.requests) },
        { label: 'failures/s', values: ts.map((p) => p.failures) },
        // The open model's offer beside what was answered: the gap between them is the target falling behind.
        ...(open
          ? [
              { label: 'offered/s', values: ts.map((p) => p.offered ?? 0) },
              { label: 'dropped/s', values: ts.map((p) => p.dropped ?? 0) },
            ]
          : []),
      ],
      markers,
    }),
    lineChart({
      id: 'latency',
      title: 'Response time',
      unit: 'ms',
      markers,
      xs,
      series: [
        { label: 'p50', values: latency((p) => p.p50Ms) },
        { label: 'p95', values: latency((p) => p.p95Ms) },
      ],
    }),
  ];
  const instances = [...new Set(ts.flatMap((p) => Object.keys(p.instances ?? {})))].sort();
  if (instances.length > 0) {
    charts.push(
      lineChart({
        id: 'replicas',
        title: `Requests per replica (${s.config.instanceHeader})`,
        unit: 'per second',
        xs,
        series: instances.map((name) => ({ label: name, values: ts.map((p) => p.instances?.[name] ?? 0) })),
      }),
    );
  }
  const hasCache = ts.some((p) => (p.cache?.HIT ?? 0) + (p.cache?.MISS ?? 0) > 0);
  if (hasCache) {
    charts.push(
      lineChart({
        id: 'cache',
        title: 'Cache hit ratio (warm-up)',
        unit: 'HIT / (HIT + MISS)',
        xs,
        yMax: 1,
        series: [
          {
            label: 'hit ratio',
            values: ts.map((p) => {
              const hit = p.cache?.HIT ?? 0;
              const all = hit + (p.cache?.MISS ?? 0);
              return all === 0 ? null : hit / all;
            }),
          },
        ],
      }),
    );
  }
  const hasEngine = ts.some((p) => p.engineCpuPercent !== undefined || p.eventLoopLagMs !== undefined);
  if (hasEngine) {
    charts.push(
      lineChart({
        id: 'engine',
        title: 'Load generator',
        unit: 'CPU % of one core, event-loop lag ms',
        xs,
        series: [
          { label: 'CPU %', values: ts.map((p) => p.engineCpuPercent ?? null) },
          { label: 'lag p99 (ms)', values: ts.map((p) => p.eventLoopLagMs ?? null) },
        ],
      }),
    );
  }
  const seconds = windows.reduce((n, w) => n + w.to - w.from, 0);
  const note =
    seconds === 0
      ? undefined
      : `Shaded: the ${seconds} second${seconds === 1 ? '' : 's'} where the load generator was saturated ` +
        `(CPU ≥ ${CPU_WARN_PERCENT}% of a core or event-loop lag ≥ ${LAG_WARN_MS} ms); what the charts show there ` +
        'may describe the generator, not the target.';
  return section('charts', 'Over time', `<div class="charts">${charts.join('')}</div>`, note);
}

/**
 * The summary's annotations on the charts' x axis (seconds since the run's first second `t0`), labelled with
 * their kind and length, e.g. `fault: redis frozen (10s)`.
 */
export function chartAnnotations(s: Summary, t0: number): ChartAnnotation[] {
  return (s.annotations ?? []).map((a) => {
    const kind = a.kind ? `${a.kind}: ` : '';
    const length = a.end === undefined ? '' : ` (${Math.round((a.end - a.at) / 100) / 10}s)`;
    return {
      from: a.at / 1000 - t0,
      ...(a.end !== undefined && { to: a.end / 1000 - t0 }),
      label: `${kind}${a.label}${length}`,
    };
  });
}

/** A breakpoint run's knee (its last held second) and break, as marker lines on the throughput and latency charts. */
function capacityMarkers(s: Summary, t0: number): Array<{ x: number; label: string }> {
  const c = s.capacity;
  if (!c) return [];
  const out: Array<{ x: number; label: string }> = [];
  if (c.knee !== null) out.push({ x: c.knee.to - t0, label: `knee ${Math.round(c.knee.rps)}/s` });
  if (c.break !== null) out.push({ x: c.break.t - t0, label: 'SLO broken' });
  return out;
}
