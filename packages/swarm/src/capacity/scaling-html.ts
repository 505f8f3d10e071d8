import { esc, htmlTable, section } from '../report/html-parts';
import { REPORT_CSS } from '../report/html-style';
import { pct, sig, whole } from './capacity-console';
import type { ScalingJson } from './scaling';
import { uslCapacity } from './usl';

const W = 640;
const H = 300;
const PAD = { left: 56, right: 16, top: 12, bottom: 34 };
const COLOR = { measured: '#0072B2', usl: '#D55E00', linear: '#5b6470' };

/** A round number ≥ x (1, 2, 5 × 10^k), so the axis reads well. */
function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

const tick = (v: number) => (v >= 1000 ? `${Math.round(v / 100) / 10}k` : String(Number(v.toPrecision(3))));

/**
 * Capacity against replica count as inline SVG: the measured knees (filled: fitted; hollow: a lower bound, the knee
 * not reached), the USL curve when there is a fit, and the linear ideal n × capacity(1).
 */
function scalingChart(r: ScalingJson): string {
  const measured = r.steps.filter((s) => s.capacity !== null);
  const maxN = Math.max(1, ...r.steps.map((s) => s.n));
  if (measured.length === 0) {
    return '<figure class="chart" id="chart-scaling" data-empty="true"><p class="note">no step measured a capacity</p></figure>';
  }
  const one = r.steps.find((s) => s.n === 1)?.capacity ?? r.fit?.lambda ?? null;
  const fit = r.fit;
  const curve = fit
    ? Array.from({ length: Math.round((maxN - 1) * 20) + 1 }, (_, i) => 1 + i / 20).map(
        (n) => [n, uslCapacity(n, fit)] as const,
      )
    : [];
  const top = Math.max(
    ...measured.map((s) => s.capacity!),
    ...curve.map(([, c]) => c),
    one === null ? 0 : one * maxN,
  );
  const yMax = niceCeil(top);
  const xSpan = Math.max(1, maxN - 1);
  const px = (n: number) => PAD.left + ((n - 1) / xSpan) * (W - PAD.left - PAD.right);
  const py = (c: number) => H - PAD.bottom - (Math.min(c, yMax) / yMax) * (H - PAD.top - PAD.bottom);
  const xy = (n: number, c: number) => `${px(n).toFixed(1)},${py(c).toFixed(1)}`;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const y = py(v).toFixed(1);
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${PAD.left - 4}" y="${y}" text-anchor="end" dy="3">${tick(v)}</text>`);
  }
  for (let n = 1; n <= maxN; n++) {
    parts.push(
      `<text class="tick" x="${px(n).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${n}</text>`,
    );
  }
  parts.push(
    `<text class="tick" x="${((W + PAD.left) / 2).toFixed(0)}" y="${H - 4}" text-anchor="middle">replicas (N)</text>`,
  );
  if (one !== null) {
    parts.push(
      `<polyline class="linear" fill="none" stroke="${COLOR.linear}" stroke-dasharray="5 4" stroke-width="1.5" points="${xy(1, one)} ${xy(maxN, one * maxN)}"><title>linear ideal: N × ${whole(one)} req/s</title></polyline>`,
    );
  }
  if (curve.length > 1) {
    parts.push(
      `<polyline class="usl" fill="none" stroke="${COLOR.usl}" stroke-width="2" points="${curve.map(([n, c]) => xy(n, c)).join(' ')}"><title>USL fit</title></polyline>`,
    );
  }
  parts.push(
    `<polyline class="measured-line" fill="none" stroke="${COLOR.measured}" stroke-width="1" points="${measured.map((s) => xy(s.n, s.capacity!)).join(' ')}"/>`,
  );
  for (const s of measured) {
    const label = `N = ${s.n}: ${s.reached ? '' : '≥ '}${whole(s.capacity)} req/s${s.efficiency === null ? '' : `, efficiency ${pct(s.efficiency)}`}`;
    const fill = s.fitted ? COLOR.measured : '#fff';
    parts.push(
      `<circle class="measured${s.fitted ? '' : ' lower-bound'}" cx="${px(s.n).toFixed(1)}" cy="${py(s.capacity!).toFixed(1)}" r="5" fill="${fill}" stroke="${COLOR.measured}" stroke-width="2"><title>${esc(label)}</title></circle>`,
    );
  }
  const key = (color: string, text: string) =>
    `<span class="key"><i style="background:${color}"></i>${esc(text)}</span>`;
  const legend = [
    key(COLOR.measured, 'measured knee (hollow: not reached, a lower bound)'),
    fit ? key(COLOR.usl, 'USL fit') : '',
    one !== null ? key(COLOR.linear, 'linear ideal N × capacity(1)') : '',
  ].join('');
  return (
    '<figure class="chart" id="chart-scaling"><h3>Capacity by replica count <small>(req/s)</small></h3>' +
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Capacity by replica count">${parts.join('')}</svg>` +
    `<figcaption>${legend}</figcaption></figure>`
  );
}

const text = (t: string) => ({ html: esc(t) });

function stepsTable(r: ScalingJson): string {
  const predicted = new Map((r.fit?.perN ?? []).map((x) => [x.n, x]));
  const p = r.slo ? `p${r.slo.percentile}` : 'latency';
  const rows = r.steps.map((s) => [
    String(s.n),
    s.capacity === null ? null : `${s.reached ? '' : '≥ '}${whole(s.capacity)}`,
    s.latencyMs === null ? null : whole(s.latencyMs),
    s.efficiency === null ? null : pct(s.efficiency),
    predicted.has(s.n) ? whole(predicted.get(s.n)!.predicted) : null,
    // Text cells as { html }: htmlTable right-aligns every column after the first as a number.
    text(
      s.saturated === null
        ? s.verdict === 'none'
          ? 'none over its limit'
          : '-'
        : `${s.saturated.what}: ${s.saturated.series}${s.saturated.generator ? ' (the generator)' : ''}`,
    ),
    { html: `<a href="${esc(`${s.dir}/report.html`)}">${esc(s.dir)}/report.html</a>` },
    text(`${s.note}. ${s.saturationNote}`),
  ]);
  return htmlTable(
    ['N', 'capacity req/s', `${p} ms`, 'efficiency', 'USL req/s', 'first saturated', 'report', 'notes'],
    rows,
    1,
    'scaling-steps',
  );
}

function fitText(r: ScalingJson): string {
  const f = r.fit;
  if (!f) return `<p id="scaling-fit">${esc(r.fitOmitted ?? 'no USL fit')}</p>`;
  const peak =
    f.peakN === null
      ? `no peak (κ = 0)${f.peakCapacity === null ? '' : `; capacity approaches ${whole(f.peakCapacity)} req/s`}`
      : `capacity peaks at N* ≈ ${sig(f.peakN)} (${whole(f.peakCapacity)} req/s)`;
  return (
    `<p id="scaling-fit">C(N) = λN / (1 + σ(N − 1) + κN(N − 1)) with λ = ${whole(f.lambda)} req/s, ` +
    `σ = ${esc(sig(f.sigma))} (contention), κ = ${esc(sig(f.kappa))} (coherency), R² = ${f.r2.toFixed(3)}; ` +
    `${esc(peak)}.</p><p class="note">${esc(f.note)}</p>`
  );
}

/**
 * `scaling.html` (pure): one self-contained page — inline CSS and SVG, no script, no network, as the run reports
 * are — with the capacity chart (measured, USL, linear ideal), a row per replica count (capacity, efficiency, what
 * saturated first, a link to that step's report.html), the fit and the notes.
 *
 * @example
 * writeFileSync('out/scaling.html', renderScalingHtml(scalingJson(steps, { cores: 2 })));
 */
export function renderScalingHtml(r: ScalingJson, title = 'Swarm scaling report'): string {
  const cores = r.cores === null ? '' : ` on ${r.cores} CPU cores`;
  const slo = r.slo
    ? `; SLO p${r.slo.percentile} ≤ ${r.slo.latencyMs} ms, failures ≤ ${pct(r.slo.failureRate)}`
    : '';
  const notes =
    r.notes.length > 0
      ? `<ul id="scaling-notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${REPORT_CSS}
figure.chart#chart-scaling { max-width: 760px; }
#scaling-steps td { white-space: normal; vertical-align: top; }
#scaling-steps th:nth-child(n+6) { text-align: left; }
#scaling-steps td:nth-child(6) { max-width: 280px; } #scaling-steps td:nth-child(7) { white-space: nowrap; }
#scaling-steps td:nth-child(8) { min-width: 360px; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="note">The breakpoint run at ${r.steps.map((s) => s.n).join(', ')} replica${r.steps.length === 1 ? '' : 's'}${esc(cores)}${esc(slo)}. Efficiency = capacity(N) / (N × capacity(1)).</p>
<main id="scaling">
${scalingChart(r)}
${section('steps', 'Per replica count', stepsTable(r))}
${section('fit', 'Universal Scalability Law', fitText(r))}
${notes ? section('notes', 'What it shows', notes) : ''}
</main>
</body>
</html>
`;
}
