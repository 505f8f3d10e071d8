import { describe, expect, it } from 'vitest';
import { attributeSaturation } from './attribution';
import { renderCapacityConsole, renderUslConsole } from './capacity-console';
import { findKnee } from './knee';
import { hockeyStick, ramp, T0 } from './test-support';
import { fitUsl } from './usl';

const SLO = { latencyMs: 250 };

describe('renderCapacityConsole', () => {
  it('shows the SLO, the knee and the break side by side, why it broke and the note', () => {
    const text = renderCapacityConsole(findKnee(ramp(60, hockeyStick), SLO));
    expect(text).toBe(
      [
        'Capacity — SLO p95 ≤ 250 ms, failures ≤ 1.0%, shortfall ≤ 10.0%, dropped ≤ 0.0%; held 5 s, broken after 3 s',
        '',
        '                 at  offered req/s  achieved req/s  p95 ms  failures',
        '-----  ------------  -------------  --------------  ------  --------',
        'knee   +41 s..+45 s            920             960     140      0.0%',
        'break         +46 s           1020            1020     260         -',
        '',
        'broke because: p95 260 ms > 250 ms',
        'note: knee at 920 req/s offered, held 5 s; the SLO broke at +46 s (p95 260 ms > 250 ms)',
        '',
      ].join('\n'),
    );
  });

  it('puts a saturated generator on top as a warning, and names the stack resource otherwise', () => {
    const r = findKnee(ramp(60, hockeyStick), SLO);
    const cpu = { name: 'process_cpu_cores', labels: { instance: 'app1' } };
    const gen = attributeSaturation([
      {
        ...cpu,
        points: [
          [T0 + 44, 0.95],
          [T0 + 45, 0.95],
        ],
      },
      {
        name: 'swarm_cpu_cores',
        labels: {},
        points: [
          [T0 + 40, 0.99],
          [T0 + 41, 0.99],
        ],
      },
    ]);
    expect(renderCapacityConsole(r, gen)).toContain('WARNING: the load generator saturated first');
    const stack = attributeSaturation(
      [
        {
          ...cpu,
          points: [
            [T0 + 44, 0.95],
            [T0 + 45, 0.95],
          ],
        },
        { name: 'redis_used_memory_bytes', labels: {}, points: [[T0 + 40, 1]] },
      ],
      { startT: T0 },
    );
    const text = renderCapacityConsole(r, stack);
    expect(text).toContain(
      'saturation: first to saturate: process_cpu_cores{instance="app1"} 0.95 ≥ 0.9 at +44 s',
    );
    expect(text).toContain('not judged (no rule or no baseline): redis_used_memory_bytes');
  });

  it('has no table when nothing was held and nothing broke', () => {
    const text = renderCapacityConsole(findKnee(ramp(3), SLO));
    expect(text).not.toContain('----');
    expect(text).toContain('note: not reached');
  });
});

describe('renderUslConsole', () => {
  it('shows λ, σ, κ and R², capacity and efficiency per N, the peak and the note', () => {
    const text = renderUslConsole(
      fitUsl([
        { n: 1, capacity: 13_300 },
        { n: 2, capacity: 9_100 },
        { n: 3, capacity: 8_100 },
      ]),
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'Scaling — Universal Scalability Law: λ 13300 req/s, σ 1.84 (contention), κ 0.0399 (coherency), R² 1.000',
    );
    expect(lines.slice(2, 7)).toEqual([
      'N  measured req/s  predicted req/s  efficiency  predicted eff.',
      '-  --------------  ---------------  ----------  --------------',
      '1           13300            13300      100.0%          100.0%',
      '2            9100             9100       34.2%           34.2%',
      '3            8100             8100       20.3%           20.3%',
    ]);
    expect(lines[8]).toBe('peak: N* = 1, 13300 req/s');
    expect(lines[9]).toMatch(/^note: 3 replica counts for 3 parameters/);
  });

  it('says there is no peak when κ = 0, with the ceiling or none', () => {
    const amdahl = fitUsl([
      { n: 1, capacity: 1000 },
      { n: 2, capacity: 1900 },
    ]);
    expect(renderUslConsole(amdahl)).toContain('κ 0 (coherency) fixed');
    expect(renderUslConsole(amdahl)).toContain('peak: none (κ = 0), ceiling 19000 req/s');
    const linear = fitUsl([
      { n: 1, capacity: 1000 },
      { n: 2, capacity: 2000 },
      { n: 3, capacity: 3000 },
    ]);
    expect(renderUslConsole(linear)).toContain('peak: none (κ = 0), ceiling none');
  });
});
