import { seriesId } from '../capacity/attribution';
import { saturatedWindows } from '../monitor/saturation';
import type { ServerSeries, Summary } from '../stats/summary-types';
import { lineChart } from './html-chart';
import { section } from './html-parts';
import { chartAnnotations } from './html-timeline';

/** A series' label in the legend: its labels' values (`app1`), or the query's name when it has none. */
function labelOf(s: ServerSeries, all: readonly ServerSeries[]): string {
  const keys = Object.keys(s.labels).sort();
  if (keys.length === 0) return s.name;
  // The labels that tell this query's series apart; all of them when they share every value.
  const varying = keys.filter((k) => all.some((o) => o.labels[k] !== s.labels[k]));
  const shown = varying.length > 0 ? varying : keys;
  return shown.length === 1 ? s.labels[shown[0]!]! : seriesId({ name: '', labels: pick(s.labels, shown) });
}

const pick = (labels: Record<string, string>, keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, labels[k]!]));

/**
 * The servers' charts (pure), from `summary.server` (`--prometheus`): one chart per query, titled with its name
 * and unit, one line per label set (per replica), on the client charts' time axis (seconds since the run's first
 * second) with the same saturated-generator shading. A query without data says why (its error, or that Prometheus
 * returned no series); the warnings are the section's note. Null without `summary.server`.
 *
 * @example
 * serverSection(summary); // '<section id="server"><h2>Servers (Prometheus)</h2>...'
 */
export function serverSection(s: Summary): string | null {
  const server = s.server;
  if (server === undefined) return null;
  const ts = s.timeSeries;
  const seconds = ts.map((p) => p.t);
  const t0 = seconds[0] ?? 0;
  const xs = seconds.map((t) => t - t0);
  const bands = saturatedWindows(ts);
  const notes = chartAnnotations(s, t0);
  const charts = server.queries.map((q, i) => {
    const mine = server.series.filter((x) => x.name === q.name);
    const series = mine.map((x) => {
      const at = new Map(x.points);
      return { label: labelOf(x, mine), values: seconds.map((t) => at.get(t) ?? null) };
    });
    return lineChart({
      id: `server-${i}`,
      title: q.name,
      unit: q.unit || undefined,
      xs,
      series,
      bands,
      bandLabel: 'generator saturated',
      annotations: notes,
      empty: q.error ? `no data: ${q.error}` : `no data: Prometheus returned no series for ${q.query}`,
    });
  });
  const note =
    server.warnings.length > 0
      ? server.warnings.join('; ')
      : `From ${server.source}, every ${server.stepS} s over the run's window.`;
  return section('server', 'Servers (Prometheus)', `<div class="charts">${charts.join('')}</div>`, note);
}
