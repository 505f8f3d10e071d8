import { describe, expect, it } from 'vitest';
import { seriesFromMatrix } from './range-query';

const W = { start: 1000, end: 1003, stepS: 1 };

describe('seriesFromMatrix', () => {
  it('keeps one series per label set, without __name__, points on whole seconds inside the window', () => {
    const series = seriesFromMatrix(
      'cpu',
      {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { __name__: 'x', instance: 'app1' },
              values: [
                [999, '9'],
                [1000, '0.5'],
                [1001.0, 'NaN'],
                [1002, '0.25'],
                [1004, '9'],
              ],
            },
            { metric: { instance: 'app2' }, values: [[1003, '+Inf']] },
          ],
        },
      },
      W,
    );
    expect(series).toEqual([
      {
        name: 'cpu',
        labels: { instance: 'app1' },
        points: [
          [1000, 0.5],
          [1002, 0.25],
        ],
      },
      { name: 'cpu', labels: { instance: 'app2' }, points: [] },
    ]);
  });

  it("throws Prometheus' own error for a failed query, and refuses what is not a matrix", () => {
    expect(() =>
      seriesFromMatrix('q', { status: 'error', error: 'parse error at char 5: unexpected' }, W),
    ).toThrow('parse error at char 5');
    expect(() =>
      seriesFromMatrix('q', { status: 'success', data: { resultType: 'vector', result: [] } }, W),
    ).toThrow('expected a matrix, got vector');
  });
});
