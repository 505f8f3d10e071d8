import { nelderMead } from './nelder-mead';

/** A capacity measured with `n` replicas (nodes, processes), e.g. the knee of a breakpoint run, in req/s. */
export interface CapacityPoint {
  n: number;
  capacity: number;
}

/** The Universal Scalability Law's parameters: C(N) = λN / (1 + σ(N − 1) + κN(N − 1)). */
export interface UslParams {
  /** Capacity of one replica, as the curve has it (req/s). */
  lambda: number;
  /** Contention: the share of the work that queues for something shared (serialises); ≥ 0. */
  sigma: number;
  /** Coherency: the cost of keeping replicas consistent with each other, growing with N²; ≥ 0. */
  kappa: number;
}

export interface ScalingAtN {
  n: number;
  /** Mean of the capacities measured at this N. */
  measured: number;
  predicted: number;
  /** measured / (N × capacity at N = 1): 1 is linear scaling. Relative to λ when N = 1 was not measured. */
  efficiency: number;
  /** The same from the curve: 1 / (1 + σ(N − 1) + κN(N − 1)). */
  predictedEfficiency: number;
}

export interface UslFit extends UslParams {
  /** 1 − SSres / SStot over the measured capacities. */
  r2: number;
  /** Measurements, and parameters fitted (λ, σ and κ; λ and σ when κ was fixed). */
  points: number;
  parameters: number;
  /**
   * As many parameters as distinct N, and the curve passes through every point: R² = 1 by construction, which
   * says nothing of how well the law fits.
   */
  exact: boolean;
  /** Only two distinct N: three unknowns cannot be fitted, so κ is fixed at 0 (no peak can be predicted). */
  kappaFixed: boolean;
  /** N where capacity peaks: √((1 − σ) / κ), at least 1; Infinity when κ = 0 and σ < 1 (no peak). */
  peakN: number;
  /** C(peakN); when there is no peak, the ceiling it approaches, λ/σ (Infinity when σ = 0 too). */
  peakCapacity: number;
  perN: ScalingAtN[];
  note: string;
}

/**
 * The USL's capacity at `n` (pure).
 *
 * @example
 * uslCapacity(4, { lambda: 1000, sigma: 0.05, kappa: 0.001 }); // ≈ 3442
 */
export function uslCapacity(n: number, p: UslParams): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/** The best λ for given σ, κ: capacities are linear in λ, so it is a closed-form least-squares slope. */
function profile(
  points: readonly CapacityPoint[],
  sigma: number,
  kappa: number,
): UslParams & { sse: number } {
  const g = points.map((p) => uslCapacity(p.n, { lambda: 1, sigma, kappa }));
  const lambda = points.reduce((s, p, i) => s + p.capacity * g[i]!, 0) / g.reduce((s, gi) => s + gi * gi, 0);
  const sse = points.reduce((s, p, i) => s + (p.capacity - lambda * g[i]!) ** 2, 0);
  return { lambda, sigma, kappa, sse };
}

/** Least squares of y on the given columns (normal equations, tiny), or null when they are collinear. */
function leastSquares(columns: number[][], y: readonly number[]): number[] | null {
  const m = columns.length;
  const a = columns.map((ci) => [...columns.map((cj) => ci.reduce((s, v, k) => s + v * cj[k]!, 0)), 0]);
  columns.forEach((ci, i) => {
    a[i]![m] = ci.reduce((s, v, k) => s + v * y[k]!, 0);
  });
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    if (Math.abs(a[col]![col]!) < 1e-12 * Math.max(1, Math.abs(a[0]![0]!))) return null;
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const k = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= m; c++) a[r]![c]! -= k * a[col]![c]!;
    }
  }
  return a.map((row, i) => row[m]! / row[i]!);
}

/**
 * A first guess from the linear form: N / C(N) = ((1 − σ) + (σ − κ)N + κN²) / λ is a quadratic in N, fitted by
 * ordinary least squares (a straight line when κ is fixed), then clamped to σ, κ ≥ 0.
 */
function linearGuess(points: readonly CapacityPoint[], fixKappa: boolean): [number, number] {
  const y = points.map((p) => p.n / p.capacity);
  const one = points.map(() => 1);
  const n = points.map((p) => p.n);
  const cols = fixKappa ? [one, n] : [one, n, n.map((v) => v * v)];
  const c = leastSquares(cols, y);
  if (c === null) return [0.1, fixKappa ? 0 : 0.001];
  const [alpha, beta, gamma = 0] = c as [number, number, number?];
  const inv = alpha + beta + gamma;
  if (!(inv > 0)) return [0.1, fixKappa ? 0 : 0.001];
  const kappa = gamma / inv;
  return [Math.max(0, beta / inv + kappa), Math.max(0, kappa)];
}

function fitParams(
  points: readonly CapacityPoint[],
  fixKappa: boolean,
  ssTot: number,
): UslParams & { sse: number } {
  const [s0, k0] = linearGuess(points, fixKappa);
  // σ and κ enter as |x|: the search stays unconstrained and the parameters non-negative.
  const objective = (x: readonly number[]) => profile(points, Math.abs(x[0]!), Math.abs(x[1] ?? 0)).sse;
  const starts = fixKappa
    ? [[s0], [0.1], [1]]
    : [
        [s0, k0],
        [s0, 0],
        [0.1, 0.001],
        [1, 0.01],
      ];
  const step = (x: number[]) => x.map((v, i) => Math.max(i === 0 ? 0.05 : 0.001, Math.abs(v) * 0.25));
  let best = profile(points, s0, k0);
  for (const x0 of starts) {
    const m = nelderMead(objective, x0, step(x0));
    const p = profile(points, Math.abs(m.x[0]!), Math.abs(m.x[1] ?? 0));
    if (p.sse < best.sse) best = p;
  }
  // Prefer a parameter at exactly 0 when it buys nothing measurable (R² within 1e-9): the search only nears it.
  const tolerance = best.sse + 1e-9 * ssTot;
  const simpler = [
    profile(points, 0, 0),
    ...(fixKappa ? [] : [fitBoundary(points, 'kappa'), fitBoundary(points, 'sigma')]),
  ];
  return simpler.find((p) => p.sse <= tolerance) ?? best;
}

/** The best fit with one parameter held at 0. */
function fitBoundary(points: readonly CapacityPoint[], zero: 'sigma' | 'kappa'): UslParams & { sse: number } {
  const at = (v: number) => (zero === 'kappa' ? profile(points, v, 0) : profile(points, 0, v));
  const m = nelderMead((x) => at(Math.abs(x[0]!)).sse, [zero === 'kappa' ? 0.1 : 0.001], [0.05]);
  return at(Math.abs(m.x[0]!));
}

function peakOf(p: UslParams): { peakN: number; peakCapacity: number } {
  if (p.kappa === 0) {
    if (p.sigma >= 1) return { peakN: 1, peakCapacity: p.lambda };
    return {
      peakN: Number.POSITIVE_INFINITY,
      peakCapacity: p.sigma === 0 ? Number.POSITIVE_INFINITY : p.lambda / p.sigma,
    };
  }
  const peakN = Math.max(1, Math.sqrt(Math.max(0, 1 - p.sigma) / p.kappa));
  return { peakN, peakCapacity: uslCapacity(peakN, p) };
}

const num = (x: number, digits = 3) => String(Number(x.toPrecision(digits)));

function noteOf(f: Omit<UslFit, 'note'>): string {
  const parts: string[] = [];
  if (f.kappaFixed) {
    parts.push('two replica counts only: κ fixed at 0 (three unknowns, two measurements); measure a third N');
  } else if (f.exact) {
    parts.push(
      `${f.perN.length} replica counts for ${f.parameters} parameters: the curve passes through them, R² = 1 by ` +
        'construction',
    );
  }
  if (f.perN.some((x) => x.efficiency > 1.05)) {
    parts.push(
      'superlinear: some efficiency is above 1 (a cache that warms across replicas?), which σ, κ ≥ 0 cannot follow',
    );
  }
  const falls = f.perN.length > 1 && f.perN.at(-1)!.measured < f.perN[0]!.measured;
  if (f.peakN === 1) {
    const how = falls ? 'falls from N = 1' : 'does not rise past N = 1';
    parts.push(
      `capacity ${how}: each replica added costs as much as it brings or more (σ ${num(f.sigma)}, κ ${num(f.kappa)}); ` +
        'expected where replicas, gateway and generator share the same few cores — scale out across machines',
    );
  } else if (Number.isFinite(f.peakN)) {
    parts.push(`capacity peaks at N* ≈ ${num(f.peakN)} (≈ ${Math.round(f.peakCapacity)} req/s)`);
  } else if (Number.isFinite(f.peakCapacity)) {
    parts.push(`no peak (κ = 0): capacity approaches λ/σ ≈ ${Math.round(f.peakCapacity)} req/s`);
  } else {
    parts.push('linear scaling: σ = κ = 0');
  }
  return parts.join('; ');
}

/**
 * Fits Gunther's Universal Scalability Law to capacities measured at several N (pure): λ, σ, κ minimise the squared
 * error of C(N) (λ in closed form for each σ, κ; σ, κ ≥ 0 by a Nelder–Mead search started from the linear form's
 * least squares, with a parameter set to exactly 0 when that costs nothing). With only two distinct N, κ is fixed
 * at 0. Capacity falling with N (negative scaling) gives σ above 1 or a large κ and a peak at N = 1, never NaN.
 * Several points at one N are fine (they are averaged in `perN`). Throws on fewer than two distinct N, N < 1 or a
 * capacity that is not a positive number.
 *
 * @example
 * fitUsl([{ n: 1, capacity: 1000 }, { n: 2, capacity: 1900 }, { n: 4, capacity: 3400 }, { n: 8, capacity: 5200 }]);
 * // { lambda ≈ 998, sigma ≈ 0.040, kappa ≈ 0.0046, peakN ≈ 14.4, r2 ≈ 0.999999, ... }
 */
export function fitUsl(points: readonly CapacityPoint[]): UslFit {
  for (const p of points) {
    if (!(Number.isFinite(p.n) && p.n >= 1)) throw new Error(`USL: N must be a number ≥ 1, got ${p.n}`);
    if (!(Number.isFinite(p.capacity) && p.capacity > 0)) {
      throw new Error(`USL: capacity at N = ${p.n} must be a positive number, got ${p.capacity}`);
    }
  }
  const ns = [...new Set(points.map((p) => p.n))].sort((a, b) => a - b);
  if (ns.length < 2) throw new Error(`USL: needs capacities at two or more distinct N, got ${ns.length}`);
  const kappaFixed = ns.length === 2;
  const mean = points.reduce((s, p) => s + p.capacity, 0) / points.length;
  const ssTot = points.reduce((s, p) => s + (p.capacity - mean) ** 2, 0);
  const { sse, ...params } = fitParams(points, kappaFixed, ssTot);
  const parameters = kappaFixed ? 2 : 3;
  const at = (n: number) => {
    const xs = points.filter((p) => p.n === n).map((p) => p.capacity);
    return xs.reduce((s, x) => s + x, 0) / xs.length;
  };
  const base = ns[0] === 1 ? at(1) : params.lambda;
  const fit: Omit<UslFit, 'note'> = {
    ...params,
    r2: ssTot === 0 ? (sse <= 1e-12 * mean * mean ? 1 : 0) : 1 - sse / ssTot,
    points: points.length,
    parameters,
    exact: ns.length <= parameters && sse <= 1e-9 * Math.max(ssTot, mean * mean),
    kappaFixed,
    ...peakOf(params),
    perN: ns.map((n) => ({
      n,
      measured: at(n),
      predicted: uslCapacity(n, params),
      efficiency: at(n) / (n * base),
      predictedEfficiency: uslCapacity(n, params) / (n * params.lambda),
    })),
  };
  return { ...fit, note: noteOf(fit) };
}
