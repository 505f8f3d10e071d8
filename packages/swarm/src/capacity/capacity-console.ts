import type { SaturationAttribution } from './attribution';
import { describeBreach, type KneeResult } from './knee';
import type { UslFit } from './usl';

export const whole = (x: number | null) => (x === null ? '-' : String(Math.round(x)));
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const sig = (x: number, digits = 3) => String(Number(x.toPrecision(digits)));

/** Plain-text columns: the first left-aligned, the others right-aligned, a rule under the header. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/**
 * The console text of a breakpoint run (pure): the SLO, the knee and the break side by side, what saturated first
 * (when server series were judged), and the result's note.
 *
 * @example
 * process.stdout.write(renderCapacityConsole(findKnee(series, slo), attribution));
 */
export function renderCapacityConsole(
  r: KneeResult,
  saturation: SaturationAttribution | null = null,
): string {
  const s = r.slo;
  const p = `p${s.percentile}`;
  const since = (t: number) => `+${r.startT === null ? 0 : t - r.startT} s`;
  const head =
    `Capacity — SLO ${p} ≤ ${s.latencyMs} ms, failures ≤ ${pct(s.failureRate)}, shortfall ≤ ${pct(s.shortfall)}, ` +
    `dropped ≤ ${pct(s.droppedRate)}; held ${r.options.holdSeconds} s, broken after ${r.options.breakSeconds} s`;
  const rows: string[][] = [['', 'at', `${r.rateBasis} req/s`, 'achieved req/s', `${p} ms`, 'failures']];
  if (r.knee !== null) {
    const k = r.knee;
    rows.push([
      'knee',
      `${since(k.from)}..${since(k.to)}`,
      whole(k.rps),
      whole(k.achievedRps),
      whole(k.latencyMs),
      pct(k.failureRate),
    ]);
  }
  if (r.break !== null) {
    const b = r.break;
    const failures = b.breaches.find((x) => x.kind === 'failures')?.value;
    rows.push([
      'break',
      since(b.t),
      whole(b.offeredRps ?? b.achievedRps),
      whole(b.achievedRps),
      whole(b.latencyMs),
      failures === undefined ? '-' : pct(failures),
    ]);
  }
  const lines = [head, ''];
  if (rows.length > 1) lines.push(columns(rows), '');
  if (r.break !== null) {
    lines.push(`broke because: ${r.break.breaches.map((b) => describeBreach(b, s.percentile)).join('; ')}`);
  }
  if (saturation !== null) {
    if (saturation.verdict === 'generator') lines.push(`WARNING: ${saturation.note}`);
    else lines.push(`saturation: ${saturation.note}`);
    if (saturation.unjudged.length > 0)
      lines.push(`not judged (no rule or no baseline): ${saturation.unjudged.join(', ')}`);
  }
  lines.push(`note: ${r.note}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The console text of a USL fit (pure): the fitted σ, κ and λ with R², the measured and predicted capacity and
 * efficiency per N, the peak and the fit's note.
 *
 * @example
 * process.stdout.write(renderUslConsole(fitUsl(points)));
 */
export function renderUslConsole(f: UslFit): string {
  const head =
    `Scaling — Universal Scalability Law: λ ${whole(f.lambda)} req/s, σ ${sig(f.sigma)} (contention), ` +
    `κ ${sig(f.kappa)} (coherency)${f.kappaFixed ? ' fixed' : ''}, R² ${f.r2.toFixed(3)}`;
  const rows = [
    ['N', 'measured req/s', 'predicted req/s', 'efficiency', 'predicted eff.'],
    ...f.perN.map((x) => [
      String(x.n),
      whole(x.measured),
      whole(x.predicted),
      pct(x.efficiency),
      pct(x.predictedEfficiency),
    ]),
  ];
  const peak = Number.isFinite(f.peakN)
    ? `peak: N* = ${sig(f.peakN)}, ${whole(f.peakCapacity)} req/s`
    : `peak: none (κ = 0), ceiling ${Number.isFinite(f.peakCapacity) ? `${whole(f.peakCapacity)} req/s` : 'none'}`;
  return `${[head, '', columns(rows), '', peak, `note: ${f.note}`].join('\n')}\n`;
}
