import { esc } from './html-parts';

/** One line of a chart; `null` leaves a gap (no data that second). */
export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

export interface LineChartOptions {
  /** Addressable id (`chart-<id>`), used by tests and links. */
  id: string;
  title: string;
  /** Unit shown after the title, e.g. `ms`, `req/s`. */
  unit?: string;
  /** Seconds since the start of the run, one per value. */
  xs: number[];
  series: ChartSeries[];
  /** Fix the top of the y axis (e.g. 1 for a ratio); default: the data's maximum, rounded up. */
  yMax?: number;
  /** Shaded x ranges [from, to) behind the lines, e.g. the seconds where the generator was saturated. */
  bands?: ReadonlyArray<{ from: number; to: number }>;
  /** What the bands mean, for the legend and their tooltip; default `marked`. */
  bandLabel?: string;
  /** Vertical marker lines at x (seconds), labelled at the top, e.g. a breakpoint run's knee and break. */
  markers?: ReadonlyArray<{ x: number; label: string }>;
  /**
   * Timeline annotations (x in seconds, like `xs`): a window (`to` given) is a shaded band, an instant a vertical
   * line; each labelled on hover and in the legend.
   */
  annotations?: ReadonlyArray<ChartAnnotation>;
  /** Said instead of the chart when there is no data; default `no data yet`. */
  empty?: string;
}

/** One annotation on a chart: an instant at `from`, or a window [`from`, `to`). */
export interface ChartAnnotation {
  from: number;
  to?: number;
  label: string;
}

const W = 640;
const H = 200;
const PAD = { left: 48, right: 12, top: 10, bottom: 24 };
/** Colour-blind-safe palette (Okabe–Ito); series beyond it wrap around. */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

/** A round number ≥ x (1, 2, 5 × 10^k), so axis ticks read well. */
function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function fmtTick(v: number): string {
  if (v >= 1000) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 100) / 100);
}

/**
 * A line chart as inline SVG (pure, no script, so it draws offline and in the live UI alike). Each series becomes
 * one `<polyline class="series">` split at gaps; `bands` shade x ranges behind them (`<rect class="band">`); a chart
 * without any data says so instead of drawing axes.
 *
 * @example
 * lineChart({ id: 'users', title: 'Users', xs: [0, 1, 2], series: [{ label: 'users', values: [1, 5, 10] }] });
 */
export function lineChart(o: LineChartOptions): string {
  const head = `<h3>${esc(o.title)}${o.unit ? ` <small>(${esc(o.unit)})</small>` : ''}</h3>`;
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  if (o.xs.length < 2 || all.length === 0) {
    return `<figure class="chart" id="chart-${esc(o.id)}" data-empty="true">${head}<p class="note">${esc(o.empty ?? 'no data yet')}</p></figure>`;
  }
  const yMax = o.yMax ?? niceCeil(Math.max(...all));
  const x0 = o.xs[0]!;
  const xSpan = Math.max(1, o.xs.at(-1)! - x0);
  const px = (x: number) => PAD.left + ((x - x0) / xSpan) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - (Math.min(y, yMax) / yMax) * (H - PAD.top - PAD.bottom);

  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const y = py(v).toFixed(1);
    grid.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`);
    grid.push(
      `<text class="tick" x="${PAD.left - 4}" y="${y}" text-anchor="end" dy="3">${fmtTick(v)}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const x = x0 + (xSpan * i) / 4;
    grid.push(
      `<text class="tick" x="${px(x).toFixed(1)}" y="${H - 6}" text-anchor="middle">${fmtTick(x - x0)}s</text>`,
    );
  }
  const bandLabel = esc(o.bandLabel ?? 'marked');
  const xEnd = o.xs.at(-1)!;
  // Drawn first, so the lines stay on top; clamped to the plotted span (the last second ends past the last x),
  // and at least 3 px wide so that one saturated second at the edge still shows.
  const bands = (o.bands ?? [])
    .filter((b) => b.to > x0 && b.from <= xEnd)
    .map((b) => {
      let x1 = px(Math.max(b.from, x0));
      let x2 = px(Math.min(b.to, xEnd));
      if (x2 - x1 < 3) {
        x1 = Math.min(x1, px(xEnd) - 3);
        x2 = x1 + 3;
      }
      return `<rect class="band" x="${x1.toFixed(1)}" y="${PAD.top}" width="${(x2 - x1).toFixed(1)}" height="${H - PAD.top - PAD.bottom}"><title>${bandLabel}</title></rect>`;
    });
  // Labels of markers close together (a knee and the break a few seconds later) go on rows of their own, so they
  // never overlap: a label is ~6 px a character wide, and one within that of the last on a row moves down a row.
  const rowEnds: number[] = [];
  const markers = (o.markers ?? [])
    .filter((m) => m.x >= x0 && m.x <= xEnd)
    .sort((a, b) => a.x - b.x)
    .map((m) => {
      const xp = px(m.x);
      const x = xp.toFixed(1);
      const anchor = m.x - x0 > xSpan / 2 ? 'end' : 'start';
      const dx = anchor === 'end' ? -3 : 3;
      const width = m.label.length * 6 + 6;
      const [from, to] = anchor === 'end' ? [xp - width, xp] : [xp, xp + width];
      let row = rowEnds.findIndex((end) => from > end);
      if (row === -1) row = rowEnds.length;
      rowEnds[row] = Math.max(to, xp);
      return (
        `<g class="marker"><line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>` +
        `<text x="${x}" dx="${dx}" y="${PAD.top + 10 + row * 12}" text-anchor="${anchor}">${esc(m.label)}</text>` +
        `<title>${esc(m.label)}</title></g>`
      );
    });
  const notes = (o.annotations ?? []).filter((a) => (a.to ?? a.from) >= x0 && a.from <= xEnd);
  const annotations = notes.map((a) => {
    const title = `<title>${esc(a.label)}</title>`;
    if (a.to === undefined || a.to <= a.from) {
      const x = px(a.from).toFixed(1);
      return `<g class="annotation-mark"><line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>${title}</g>`;
    }
    const x1 = px(Math.max(a.from, x0));
    const x2 = Math.max(x1 + 2, px(Math.min(a.to, xEnd)));
    return `<rect class="annotation" x="${x1.toFixed(1)}" y="${PAD.top}" width="${(x2 - x1).toFixed(1)}" height="${H - PAD.top - PAD.bottom}">${title}</rect>`;
  });
  const lines = o.series.map((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const runs: string[][] = [[]];
    s.values.forEach((v, k) => {
      if (v === null || o.xs[k] === undefined) {
        if (runs.at(-1)!.length > 0) runs.push([]);
        return;
      }
      runs.at(-1)!.push(`${px(o.xs[k]!).toFixed(1)},${py(v).toFixed(1)}`);
    });
    return runs
      .filter((r) => r.length > 0)
      .map(
        (r) =>
          `<polyline class="series" fill="none" stroke="${color}" stroke-width="1.5" points="${r.join(' ')}"><title>${esc(s.label)}</title></polyline>`,
      )
      .join('');
  });
  const legend = o.series
    .map(
      (s, i) =>
        `<span class="key"><i style="background:${PALETTE[i % PALETTE.length]}"></i>${esc(s.label)}</span>`,
    )
    .join('');
  const bandKey = bands.length > 0 ? `<span class="key"><i class="band"></i>${bandLabel}</span>` : '';
  const noteKeys = notes
    .map((a) => `<span class="key annotation-key"><i class="annotation"></i>${esc(a.label)}</span>`)
    .join('');
  return (
    `<figure class="chart" id="chart-${esc(o.id)}">${head}` +
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">${grid.join('')}${bands.join('')}${annotations.join('')}${lines.join('')}${markers.join('')}</svg>` +
    `<figcaption>${legend}${bandKey}${noteKeys}</figcaption></figure>`
  );
}
