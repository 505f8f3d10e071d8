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
});
