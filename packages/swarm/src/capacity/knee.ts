import type { LoadSecond, LoadSeries } from './load-series';
import { type Breach, judgeSecond, resolveSlo, type SecondVerdict, type Slo, type SloInput } from './slo';

/** How long "held" and "broken" must last, in seconds of the series. */
export interface KneeOptions {
  /** A rate counts as held when N consecutive seconds at or above it kept the SLO; default 5. */
  holdSeconds?: number;
  /** Breached seconds a held window may contain (noise: a GC pause, a scrape); default 1. */
  noisySeconds?: number;
  /** The SLO counts as broken after this many consecutive breached seconds; default 3. */
  breakSeconds?: number;
}

export const KNEE_DEFAULTS: Required<KneeOptions> = { holdSeconds: 5, noisySeconds: 1, breakSeconds: 3 };

/** The highest rate held within the SLO. Rates are offered ones, or achieved ones when no offer was given. */
export interface Knee {
  /** The held window's lowest rate: every one of its seconds ran at least this fast. */
  rps: number;
  /** First and last epoch second of the held window. */
  from: number;
  to: number;
  /** Mean achieved req/s over the window. */
  achievedRps: number;
  /** Median over the window's seconds of their latency percentile, ms; null if none had requests. */
  latencyMs: number | null;
  failureRate: number;
}

/** Where the SLO broke for good: the first second of the first run of `breakSeconds` breached seconds. */
export interface SloBreak {
  t: number;
  /** Seconds since the series' first point. */
  elapsedS: number;
  /** Why that second broke it. */
  breaches: Breach[];
  offeredRps: number | null;
  achievedRps: number;
  latencyMs: number | null;
}

export interface KneeResult {
  slo: Slo;
  options: Required<KneeOptions>;
  rateBasis: 'offered' | 'achieved';
  /** Epoch second of the series' first point (elapsed times count from it); null for an empty series. */
  startT: number | null;
  knee: Knee | null;
  /** null when the SLO never broke for `breakSeconds` in a row. */
  break: SloBreak | null;
  /** The highest rate offered (or achieved) in the series; null without data. */
  highestRps: number | null;
  /** Breached seconds before the break that were forgiven as noise (runs shorter than `breakSeconds`). */
  noisy: number;
  /** Without a break: breached seconds at the very end (the run ended while breaking, too soon to tell). */
  trailing: number;
  /** One sentence for a report: where the knee is, or why there is none, and how far to trust it. */
  note: string;
}

export function resolveKneeOptions(options: KneeOptions = {}): Required<KneeOptions> {
  const o = { ...KNEE_DEFAULTS, ...options };
  if (!(Number.isInteger(o.holdSeconds) && o.holdSeconds >= 1)) {
    throw new Error(`holdSeconds must be a whole number ≥ 1, got ${o.holdSeconds}`);
  }
  if (!(Number.isInteger(o.breakSeconds) && o.breakSeconds >= 1)) {
    throw new Error(`breakSeconds must be a whole number ≥ 1, got ${o.breakSeconds}`);
  }
  if (!(Number.isInteger(o.noisySeconds) && o.noisySeconds >= 0 && o.noisySeconds < o.holdSeconds)) {
    throw new Error(`noisySeconds must be a whole number in [0, holdSeconds), got ${o.noisySeconds}`);
  }
  return o;
}

/** The SLO and the series must speak of the same percentile, or the verdicts would be about another number. */
export function sloForSeries(series: LoadSeries, input: SloInput): Slo {
  const slo = resolveSlo(input);
  if (slo.percentile !== series.percentile) {
    throw new Error(`the SLO judges p${slo.percentile} but the series carries p${series.percentile}`);
  }
  return slo;
}

const rateOf = (p: LoadSecond): number => p.offeredRps ?? p.achievedRps;

/** Index of the first second of the first run of `length` consecutive breaches, or -1. */
function firstBreakRun(verdicts: readonly SecondVerdict[], length: number): number {
  let run = 0;
  for (let i = 0; i < verdicts.length; i++) {
    run = verdicts[i]!.status === 'breach' ? run + 1 : 0;
    if (run === length) return i - length + 1;
  }
  return -1;
}

function trailingBreaches(verdicts: readonly SecondVerdict[]): number {
  let n = 0;
  while (n < verdicts.length && verdicts[verdicts.length - 1 - n]!.status === 'breach') n++;
  return n;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function kneeOf(points: readonly LoadSecond[], from: number, to: number): Knee {
  const w = points.slice(from, to + 1);
  const requests = w.reduce((s, p) => s + p.achievedRps, 0);
  const failures = w.reduce((s, p) => s + p.failures, 0);
  return {
    rps: Math.min(...w.map(rateOf)),
    from: w[0]!.t,
    to: w.at(-1)!.t,
    achievedRps: requests / w.length,
    latencyMs: median(w.flatMap((p) => (p.latencyMs === null ? [] : [p.latencyMs]))),
    failureRate: requests === 0 ? 0 : failures / requests,
  };
}

/** The held window with the highest lowest rate among windows ending before `end`; the latest at a tie. */
function bestWindow(
  points: readonly LoadSecond[],
  verdicts: readonly SecondVerdict[],
  end: number,
  o: Required<KneeOptions>,
): Knee | null {
  let best: { from: number; rps: number } | null = null;
  for (let from = 0; from + o.holdSeconds <= end; from++) {
    let breached = 0;
    let idle = false;
    let rps = Number.POSITIVE_INFINITY;
    for (let i = from; i < from + o.holdSeconds; i++) {
      const status = verdicts[i]!.status;
      if (status === 'idle') idle = true;
      if (status === 'breach') breached++;
      rps = Math.min(rps, rateOf(points[i]!));
    }
    if (idle || breached > o.noisySeconds) continue;
    if (best === null || rps >= best.rps) best = { from, rps };
  }
  return best === null ? null : kneeOf(points, best.from, best.from + o.holdSeconds - 1);
}

const fmt = (x: number) => String(Math.round(x));

/** What a breach says in a sentence, e.g. "p95 812 ms > 500 ms". */
export function describeBreach(b: Breach, percentile: number): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  switch (b.kind) {
    case 'latency':
      return `p${percentile} ${fmt(b.value)} ms > ${fmt(b.limit)} ms`;
    case 'failures':
      return `failures ${pct(b.value)} > ${pct(b.limit)}`;
    case 'plateau':
      return `achieved ${pct(b.value)} behind offered (> ${pct(b.limit)})`;
    case 'dropped':
      return `dropped ${pct(b.value)} of iterations > ${pct(b.limit)}`;
  }
}

function noteOf(r: Omit<KneeResult, 'note'>): string {
  const unit = r.rateBasis === 'offered' ? 'req/s offered' : 'req/s achieved (no offered rate given)';
  const noise = r.noisy > 0 ? `; ${r.noisy} noisy second${r.noisy === 1 ? '' : 's'} forgiven` : '';
  if (r.highestRps === null) return 'no data: the series has no second with load';
  const held = r.options.holdSeconds;
  if (r.break === null) {
    const at = r.knee === null ? 'no window was held' : `held ${fmt(r.knee.rps)} ${unit} for ${held} s`;
    const end =
      r.trailing > 0
        ? `; but its last ${r.trailing} s breached the SLO (fewer than ${r.options.breakSeconds}): it may have ` +
          'been breaking — run longer'
        : '';
    return (
      `not reached: the stack held the highest rate offered (${fmt(r.highestRps)} req/s); ${at}; ` +
      `the knee is higher — raise the ramp's target${noise}${end}`
    );
  }
  const why = r.break.breaches.map((b) => describeBreach(b, r.slo.percentile)).join(', ');
  const broke = `the SLO broke at +${r.break.elapsedS} s (${why})`;
  if (r.knee === null) {
    return `${broke} before any ${held} s window held: the knee is below the first rate offered — start the ramp lower`;
  }
  return `knee at ${fmt(r.knee.rps)} ${unit}, held ${held} s; ${broke}${noise}`;
}

/**
 * Finds the knee of a breakpoint run (pure): the highest rate the stack held within the SLO for `holdSeconds`
 * consecutive seconds (forgiving up to `noisySeconds` breached ones among them), before the SLO broke for
 * `breakSeconds` consecutive seconds. Rates are the offered ones when the series has them (open model), else the
 * achieved ones. A window's rate is its lowest second's, so on a ramp it is a rate every second of it sustained.
 *
 * @example
 * const series = loadSeriesFromTimeSeries(summary.timeSeries, { offeredRps });
 * findKnee(series, { latencyMs: 500 }).knee?.rps; // e.g. 1240
 */
export function findKnee(series: LoadSeries, sloInput: SloInput, options: KneeOptions = {}): KneeResult {
  const slo = sloForSeries(series, sloInput);
  const o = resolveKneeOptions(options);
  const { points } = series;
  const verdicts = points.map((p) => judgeSecond(p, slo));
  const b = firstBreakRun(verdicts, o.breakSeconds);
  const end = b === -1 ? points.length : b;
  const rateBasis = points.some((p) => p.offeredRps !== null) ? 'offered' : 'achieved';
  const active = points.filter((_, i) => verdicts[i]!.status !== 'idle');
  const at = b === -1 ? null : points[b]!;
  const trailing = b === -1 ? trailingBreaches(verdicts) : 0;
  const result: Omit<KneeResult, 'note'> = {
    slo,
    options: o,
    rateBasis,
    startT: points[0]?.t ?? null,
    knee: bestWindow(points, verdicts, end, o),
    break:
      at === null
        ? null
        : {
            t: at.t,
            elapsedS: at.t - points[0]!.t,
            breaches: (verdicts[b] as { breaches: Breach[] }).breaches,
            offeredRps: at.offeredRps,
            achievedRps: at.achievedRps,
            latencyMs: at.latencyMs,
          },
    highestRps: active.length === 0 ? null : active.reduce((m, p) => Math.max(m, rateOf(p)), 0),
    noisy: verdicts.slice(0, end - trailing).filter((v) => v.status === 'breach').length,
    trailing,
  };
  return { ...result, note: noteOf(result) };
}
