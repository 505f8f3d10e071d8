import { describe, expect, it } from 'vitest';
import { lineChart } from './html-chart';

describe('chart markers', () => {
  it('draws a labelled vertical line at each marker within the plotted span, and none outside it', () => {
    const svg = lineChart({
      id: 'throughput',
      title: 'Throughput',
      xs: [0, 1, 2, 3, 4],
      series: [{ label: 'requests/s', values: [1, 2, 3, 4, 5] }],
      markers: [
        { x: 2, label: 'knee 120/s' },
        { x: 9, label: 'outside' },
      ],
    });
    expect(svg.match(/<g class="marker">/g)).toHaveLength(1);
    expect(svg).toContain('knee 120/s');
    expect(svg).not.toContain('outside');
  });

  it('puts the labels of markers close together on rows of their own', () => {
    const chart = (xs: number[]) =>
      lineChart({
        id: 'throughput',
        title: 'Throughput',
        xs: Array.from({ length: 101 }, (_, i) => i),
        series: [{ label: 'requests/s', values: Array.from({ length: 101 }, (_, i) => i) }],
        markers: xs.map((x, i) => ({ x, label: i === 0 ? 'knee 5610/s' : 'SLO broken' })),
      });
    const rows = (svg: string) =>
      [...svg.matchAll(/<text x="[\d.]+" dx="-?3" y="([\d.]+)"/g)].map((m) => m[1]);
    const [knee, broken] = rows(chart([80, 83]));
    expect(knee).not.toBe(broken);
    const [far1, far2] = rows(chart([10, 80]));
    expect(far1).toBe(far2);
  });
});
