import { columns, pct, sig, whole } from './capacity-console';
import type { ScalingJson } from './scaling';

/**
 * The console text of a scaling run (pure): one row per replica count — the knee (or its lower bound), its latency,
 * the efficiency, the USL's prediction and the first resource to saturate — then the fit (σ, κ, peak) or why there
 * is none, and the notes.
 *
 * @example
 * process.stdout.write(renderScalingConsole(scalingJson(steps, { cores: 2 })));
 */
export function renderScalingConsole(r: ScalingJson): string {
  const predicted = new Map((r.fit?.perN ?? []).map((x) => [x.n, x.predicted]));
  const p = r.slo ? `p${r.slo.percentile}` : 'latency';
  const rows = [
    ['N', 'capacity req/s', `${p} ms`, 'efficiency', 'USL req/s', 'first saturated'],
    ...r.steps.map((s) => [
      String(s.n),
      s.capacity === null ? '-' : `${s.reached ? '' : '≥ '}${whole(s.capacity)}`,
      whole(s.latencyMs),
      s.efficiency === null ? '-' : pct(s.efficiency),
      whole(predicted.get(s.n) ?? null),
      s.saturated
        ? `${s.saturated.series}${s.saturated.generator ? ' (generator!)' : ''}`
        : s.verdict === 'none'
          ? 'none over its limit'
          : '-',
    ]),
  ];
  const slo = r.slo ? ` — SLO ${p} ≤ ${r.slo.latencyMs} ms, failures ≤ ${pct(r.slo.failureRate)}` : '';
  const cores = r.cores === null ? '' : `, ${r.cores} CPU cores`;
  const lines = [`Scaling — breakpoint capacity at 1..${r.steps.at(-1)?.n ?? 0} replicas${cores}${slo}`, ''];
  lines.push(columns(rows), '');
  if (r.fit) {
    const f = r.fit;
    const peak =
      f.peakN === null
        ? `no peak (κ = 0)${f.peakCapacity === null ? '' : `, ceiling ${whole(f.peakCapacity)} req/s`}`
        : `peak N* ≈ ${sig(f.peakN)} (${whole(f.peakCapacity)} req/s)`;
    lines.push(
      `USL: λ ${whole(f.lambda)} req/s, σ ${sig(f.sigma)} (contention), κ ${sig(f.kappa)} (coherency), ` +
        `R² ${f.r2.toFixed(3)}; ${peak}`,
      `fit: ${f.note}`,
    );
  } else lines.push(r.fitOmitted ?? 'no USL fit');
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
