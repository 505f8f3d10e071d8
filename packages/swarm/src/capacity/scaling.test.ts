import { describe, expect, it } from 'vitest';
import { attributeSaturation } from './attribution';
import { type CapacityJson, capacityJson } from './capacity-json';
import { findKnee } from './knee';
import { SCALING_SCHEMA, type ScalingStepInput, scalingJson } from './scaling';
import { renderScalingConsole } from './scaling-console';
import { renderScalingHtml } from './scaling-html';
import { hockeyStick, ramp, T0 } from './test-support';

const SLO = { latencyMs: 250 };
const reachedBase = capacityJson(findKnee(ramp(60, hockeyStick), SLO));
const notReachedBase = capacityJson(findKnee(ramp(30), SLO));

const cpu = (instance: string) =>
  attributeSaturation(
    [
      {
        name: 'process_cpu_cores',
        labels: { instance },
        points: [
          [T0 + 40, 0.95],
          [T0 + 41, 0.96],
        ],
      },
    ],
    { startT: T0 },
  );
const nothing = attributeSaturation(
  [
    {
      name: 'process_cpu_cores',
      labels: { instance: 'app1' },
      points: [
        [T0 + 40, 0.5],
        [T0 + 41, 0.5],
      ],
    },
  ],
  { startT: T0 },
);
const generator = attributeSaturation([
  {
    name: 'swarm_cpu_cores',
    labels: {},
    points: [
      [T0 + 40, 0.99],
      [T0 + 41, 0.99],
    ],
  },
]);

/** A capacity.json whose knee is `rps`; not reached: the SLO held to the end. */
function cap(rps: number, saturation = nothing, reached = true): CapacityJson {
  const base = reached ? reachedBase : notReachedBase;
  return { ...base, knee: { ...base.knee!, rps }, saturation };
}
const step = (n: number, capacity: CapacityJson | null, exitCode = 0): ScalingStepInput => ({
  n,
  capacity,
  dir: `replicas-${n}`,
  exitCode,
});

// This machine's measurement (issue 12): one replica through the gateway 13.3k, two 9.1k, three 8.1k.
const negative = [step(1, cap(13_300, cpu('app1'))), step(2, cap(9_100)), step(3, cap(8_100))];

describe('scalingJson', () => {
  it('gives each step its capacity, efficiency against N × capacity(1) and first saturated resource', () => {
    const r = scalingJson(negative, { cores: 2 });
    expect(r.schema).toBe(SCALING_SCHEMA);
    expect(r.steps.map((s) => s.capacity)).toEqual([13_300, 9_100, 8_100]);
    expect(r.steps[0]!.efficiency).toBe(1);
    expect(r.steps[1]!.efficiency).toBeCloseTo(9_100 / 26_600, 9);
    expect(r.steps[2]!.efficiency).toBeCloseTo(8_100 / 39_900, 9);
    expect(r.steps[0]!.saturated).toEqual({
      series: 'process_cpu_cores{instance="app1"}',
      what: 'CPU of a single-threaded Node process (cores)',
      generator: false,
    });
    expect(r.steps[1]).toMatchObject({ saturated: null, verdict: 'none', fitted: true, reached: true });
    expect(r.measurements).toEqual([
      { n: 1, capacity: 13_300 },
      { n: 2, capacity: 9_100 },
      { n: 3, capacity: 8_100 },
    ]);
    expect(r.fitOmitted).toBeNull();
    expect(r.fit!.peakN).toBe(1);
    expect(r.fit!.perN.map((x) => Math.round(x.predicted))).toEqual([13_300, 9_100, 8_100]);
  });

  it('explains negative scaling with the shared cores and what saturated at each step', () => {
    const r = scalingJson(negative, { cores: 2 });
    const notes = r.notes.join('\n');
    expect(notes).toContain('capacity falls as replicas are added (N = 1: 13300 req/s; N = 2: 9100 req/s');
    expect(notes).toContain('this machine’s 2 CPU cores');
    expect(notes).toContain(
      'what saturated first: N = 1: CPU of a single-threaded Node process (cores), process_cpu_cores{instance="app1"}; ' +
        'N = 2: no single process reached its own limit',
    );
    expect(notes).toContain('the shared CPU gives out before any one process reaches its own ceiling');
  });

  it('says capacity rises when it does, and fits a peak', () => {
    const r = scalingJson([step(1, cap(1000)), step(2, cap(1900)), step(3, cap(2600)), step(4, cap(3100))]);
    expect(r.notes).toEqual(['capacity rises with replicas: 3100 req/s at N = 4, efficiency 78% of linear']);
    expect(r.fit!.peakN).toBeGreaterThan(4);
    expect(r.cores).toBeNull();
  });

  it('leaves a step whose knee was not reached out of the fit, as a lower bound, and omits a fit under 3 points', () => {
    const r = scalingJson([step(1, cap(1000)), step(2, cap(1900)), step(3, cap(2500, nothing, false))]);
    expect(r.steps[2]).toMatchObject({ reached: false, fitted: false, capacity: 2500 });
    expect(r.measurements.map((p) => p.n)).toEqual([1, 2]);
    expect(r.fit).toBeNull();
    expect(r.fitOmitted).toBe(
      'no USL fit: 2 replica counts with a knee reached, 3 needed (σ, κ and λ are three unknowns)',
    );
    expect(r.notes[0]).toMatch(
      /^N = 3: knee not reached .* 2500 req\/s is only a lower bound, left out of the fit/,
    );
    // Only the knees reached compare: 1 and 2.
    expect(r.notes[1]).toBe('capacity rises with replicas: 1900 req/s at N = 2, efficiency 95% of linear');
    const bounds = scalingJson([step(1, cap(18, nothing, false)), step(2, cap(18, nothing, false))]);
    expect(bounds.notes.filter((n) => n.startsWith('capacity'))).toEqual([]);
    const flat = scalingJson([step(1, cap(1000)), step(2, cap(1000))]);
    expect(flat.notes).toEqual(['capacity does not rise with replicas: 1000 req/s at N = 2']);
  });

  it('keeps a step that wrote no capacity.json, says so, and warns of a saturated generator', () => {
    const r = scalingJson([step(2, cap(900, generator)), step(1, null, 143)]);
    expect(r.steps.map((s) => s.n)).toEqual([1, 2]);
    expect(r.steps[0]).toMatchObject({ written: false, capacity: null, efficiency: null, verdict: null });
    expect(r.steps[1]!.efficiency).toBeNull(); // no capacity(1) to compare with
    expect(r.notes).toContain('N = 1: the run wrote no capacity.json (exit 143); left out of the fit');
    expect(r.notes).toContain(
      'N = 2: the load generator saturated first: this step measured the generator, not the stack',
    );
    expect(r.fitOmitted).toMatch(/^no USL fit: 1 replica count with/);
  });

  it('survives JSON: an unbounded peak is null', () => {
    const r = scalingJson([step(1, cap(1000)), step(2, cap(2000)), step(3, cap(3000))]);
    expect(r.fit).toMatchObject({ peakN: null, peakCapacity: null, sigma: 0, kappa: 0 });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('renderScalingConsole', () => {
  it('has a row per replica count, marks a lower bound, then the fit or why there is none, and the notes', () => {
    const text = renderScalingConsole(scalingJson(negative, { cores: 2 }));
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'Scaling — breakpoint capacity at 1..3 replicas, 2 CPU cores — SLO p95 ≤ 250 ms, failures ≤ 1.0%',
    );
    expect(lines[2]).toMatch(/^N +capacity req\/s +p95 ms +efficiency +USL req\/s +first saturated$/);
    expect(lines[4]).toMatch(/^1 +13300 +\d+ +100\.0% +13300 +process_cpu_cores\{instance="app1"\}$/);
    expect(lines[5]).toMatch(/^2 +9100 +\d+ +34\.2% +9100 +none over its limit$/);
    expect(text).toMatch(
      /\nUSL: λ 13300 req\/s, σ [\d.]+ \(contention\), κ [\d.]+ \(coherency\), R² 1\.000; peak N\* ≈ 1/,
    );
    expect(text).toContain('\nnote: capacity falls as replicas are added');
    const partial = renderScalingConsole(
      scalingJson([step(1, cap(1000)), step(2, cap(1500, nothing, false))]),
    );
    expect(partial).toMatch(/\n2 +≥ 1500 /);
    expect(partial).toContain('\nno USL fit: 1 replica count with a knee reached, 3 needed');
  });
});

describe('renderScalingHtml', () => {
  it('draws measured knees, the USL curve and the linear ideal, and links each step’s report', () => {
    const html = renderScalingHtml(scalingJson(negative, { cores: 2 }));
    expect(html).toContain('id="chart-scaling"');
    expect(html.match(/<circle class="measured"/g)).toHaveLength(3);
    expect(html).toContain('<polyline class="usl"');
    expect(html).toContain('<polyline class="linear"');
    for (const n of [1, 2, 3]) expect(html).toContain(`<a href="replicas-${n}/report.html">`);
    expect(html).toContain('σ = ');
    expect(html).toContain('capacity falls as replicas are added');
    expect(html).not.toContain('<script');
  });

  it('draws a lower bound hollow, says why there is no fit, and escapes what it is given', () => {
    const r = scalingJson([step(1, cap(1000)), step(2, cap(1500, nothing, false))]);
    r.steps[1]!.dir = 'a"<b>';
    const html = renderScalingHtml(r);
    expect(html).toContain('<circle class="measured lower-bound"');
    expect(html).not.toContain('<polyline class="usl"');
    expect(html).toContain('<p id="scaling-fit">no USL fit: 1 replica count with a knee reached');
    expect(html).toContain('href="a&quot;&lt;b&gt;/report.html"');
    expect(html).not.toContain('a"<b>');
  });
});
