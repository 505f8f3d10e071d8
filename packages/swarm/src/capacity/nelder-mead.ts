export interface Minimum {
  x: number[];
  fx: number;
}

/**
 * Minimises `f` from `x0` by the Nelder–Mead simplex method (pure, deterministic): reflection 1, expansion 2,
 * contraction ½, shrink ½, restarted from the best point until a restart gains nothing, since a simplex can
 * collapse early. `step` sets the first simplex's size per coordinate. It needs no gradient, which suits a
 * least-squares objective of a few parameters kept non-negative by reflection (`|x|`) inside `f`.
 *
 * @example
 * nelderMead(([a, b]) => (a! - 1) ** 2 + (b! + 2) ** 2, [0, 0], [0.5, 0.5]).x; // ≈ [1, -2]
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  step: readonly number[],
  maxIterations = 4000,
): Minimum {
  let best: Minimum = { x: [...x0], fx: f(x0) };
  for (let restart = 0; restart < 8; restart++) {
    const next = simplexRun(f, best.x, step, maxIterations);
    const gained = best.fx - next.fx;
    if (next.fx <= best.fx) best = next;
    if (!(gained > 1e-12 * Math.abs(best.fx))) break;
  }
  return best;
}

function simplexRun(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  step: readonly number[],
  maxIterations: number,
): Minimum {
  const d = x0.length;
  const simplex: Minimum[] = [{ x: [...x0], fx: f(x0) }];
  for (let i = 0; i < d; i++) {
    const x = [...x0];
    x[i]! += step[i]!;
    simplex.push({ x, fx: f(x) });
  }
  const at = (c: readonly number[], toward: readonly number[], k: number): Minimum => {
    const x = c.map((ci, i) => ci + k * (toward[i]! - ci));
    return { x, fx: f(x) };
  };
  for (let it = 0; it < maxIterations; it++) {
    simplex.sort((a, b) => a.fx - b.fx);
    const lo = simplex[0]!;
    const hi = simplex[d]!;
    const size = Math.max(...simplex.flatMap((p) => p.x.map((xi, i) => Math.abs(xi - lo.x[i]!))));
    const scale = 1 + Math.max(...lo.x.map(Math.abs));
    if (size <= 1e-12 * scale || hi.fx - lo.fx <= 1e-15 * Math.abs(lo.fx)) break;
    // Centroid of all points but the worst.
    const c = Array.from({ length: d }, (_, i) => simplex.slice(0, d).reduce((s, p) => s + p.x[i]!, 0) / d);
    const reflected = at(c, hi.x, -1);
    if (reflected.fx < lo.fx) {
      const expanded = at(c, hi.x, -2);
      simplex[d] = expanded.fx < reflected.fx ? expanded : reflected;
    } else if (reflected.fx < simplex[d - 1]!.fx) {
      simplex[d] = reflected;
    } else {
      const contracted = reflected.fx < hi.fx ? at(c, reflected.x, 0.5) : at(c, hi.x, 0.5);
      if (contracted.fx < Math.min(hi.fx, reflected.fx)) simplex[d] = contracted;
      else for (let j = 1; j <= d; j++) simplex[j] = at(lo.x, simplex[j]!.x, 0.5);
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return simplex[0]!;
}
