import { describe, expect, it } from 'vitest';
import type { Summary } from '../stats/summary-types';
import { lineChart } from './html-chart';
import { esc } from './html-parts';
import { renderHtmlReport, renderReportBody } from './html-report';
import { sampleSummary } from './test-support';

/** The sample plus what a scenario's teardown and a longer run add: sections and several seconds of history. */
function richSummary(): Summary {
  const s = sampleSummary();
  const p = s.timeSeries[0]!;
  return {
    ...s,
    timeSeries: [0, 1, 2].map((i) => ({
      ...p,
      t: p.t + i,
      users: i + 1,
      requests: 10 * (i + 1),
      instances: { 'api-1': 5 * (i + 1), 'api-2': 5 * (i + 1) },
      cache: { HIT: i * 4, MISS: 4 - i },
    })),
    sections: [
      {
        title: 'Server <counts>',
        columns: ['replica', 'served'],
        rows: [
          ['api-1', 5],
          ['api-2', null],
        ],
      },
    ],
  };
}

describe('HTML report', () => {
  const html = renderHtmlReport(richSummary());

  it('is one self-contained page: no script, no external URL, a CSP that forbids fetching', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/i);
    expect(html).toContain("default-src 'none'");
  });

  it('shows the verdict and every threshold with its actual value', () => {
    expect(html).toContain('FAIL: 1 of 2 thresholds');
    expect(html).toMatch(/PASS<\/span><\/td><td>p\(95\)&lt;500<\/td><td class="num">100\.031/);
    expect(html).toMatch(/FAIL<\/span><\/td><td>rate&lt;0\.01<\/td><td class="num">0\.083/);
  });

  it('has the endpoint, percentile, replica, cache, throttle, error, section, engine and config tables', () => {
    for (const id of [
      'endpoints',
      'percentiles',
      'replicas',
      'cache',
      'throttled',
      'errors',
      'engine',
      'config',
    ]) {
      expect(html).toContain(`<section id="${id}">`);
    }
    expect(html).toMatch(/<td>GET<\/td><td>\/users\/:id<\/td><td class="num">10<\/td>/);
    expect(html).toContain('<b id="hit-ratio">80.0%</b>');
    expect(html).toContain('TypeError: boom');
    expect(html).toContain('<h2>Server &lt;counts&gt;</h2>');
    expect(html).toContain('id="engine-warning"');
  });

  it('draws users, throughput, latency, replica and cache-warm-up charts with one line per series', () => {
    for (const id of ['users', 'throughput', 'latency', 'replicas', 'cache']) {
      const chart = new RegExp(`<figure class="chart" id="chart-${id}">[\\s\\S]*?</figure>`).exec(html)?.[0];
      expect(chart, id).toBeDefined();
      expect(chart).toContain('<polyline');
    }
    const throughput = /id="chart-throughput">[\s\S]*?<\/figure>/.exec(html)![0];
    expect(throughput.match(/<polyline/g)).toHaveLength(2);
  });

  it('escapes names that come from scenarios', () => {
    const s = richSummary();
    s.endpoints[0]!.name = '<img src=x onerror=alert(1)>';
    s.errors.push({ method: 'GET', name: '"quoted"', error: '<b>bad</b>', occurrences: 1 });
    const out = renderHtmlReport(s);
    expect(out).not.toContain('<img src=x');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&lt;b&gt;bad&lt;/b&gt;');
  });

  it('says RUNNING and leaves thresholds out while live', () => {
    const body = renderReportBody(richSummary(), { live: true });
    expect(body).toContain('RUNNING');
    expect(body).not.toContain('<section id="thresholds">');
  });
});

describe('line chart', () => {
  it('splits a line at gaps and says so when there is no data', () => {
    const chart = lineChart({
      id: 'x',
      title: 'X',
      xs: [0, 1, 2, 3],
      series: [{ label: 'a', values: [1, null, 2, 3] }],
    });
    expect(chart.match(/<polyline/g)).toHaveLength(2);
    expect(lineChart({ id: 'y', title: 'Y', xs: [0], series: [{ label: 'a', values: [1] }] })).toContain(
      'no data yet',
    );
  });

  it('shades bands within the plotted span, at least 3 px wide at the edge', () => {
    const chart = lineChart({
      id: 'b',
      title: 'B',
      xs: [0, 1, 2, 3],
      series: [{ label: 'a', values: [1, 2, 3, 4] }],
      bands: [
        { from: 1, to: 2 },
        { from: 3, to: 4 },
        { from: 9, to: 10 },
      ],
      bandLabel: 'hot',
    });
    const rects = [...chart.matchAll(/<rect class="band" x="([\d.]+)" y="10" width="([\d.]+)"/g)];
    expect(rects.map((r) => [Number(r[1]), Number(r[2])])).toEqual([
      [241.3, 193.3],
      [625, 3],
    ]);
    expect(chart).toContain('<i class="band"></i>hot</span>');
  });

  it('escapes its labels', () => {
    expect(esc(`<a href="x">'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;');
  });
});

describe('saturated windows in the charts', () => {
  /** Five seconds of history; the engine was saturated in seconds 1 and 2 (CPU) and 4 (lag). */
  function withEngine(): Summary {
    const s = richSummary();
    const p = s.timeSeries[0]!;
    const engine: Array<[number, number]> = [
      [20, 1],
      [95, 2],
      [92, 3],
      [30, 2],
      [25, 75],
    ];
    s.timeSeries = engine.map(([cpu, lag], i) => ({
      ...p,
      t: p.t + i,
      engineCpuPercent: cpu,
      eventLoopLagMs: lag,
    }));
    return s;
  }

  it('shades the saturated seconds behind every time chart and says so under them', () => {
    const html = renderReportBody(withEngine());
    for (const id of ['users', 'throughput', 'latency', 'replicas', 'cache', 'engine']) {
      const chart = new RegExp(`id="chart-${id}">[\\s\\S]*?</figure>`).exec(html)?.[0];
      expect(chart, id).toBeDefined();
      // Seconds 1-2 joined in one band, and second 4 (the last, drawn at the right edge).
      expect(chart!.match(/<rect class="band"/g), id).toHaveLength(2);
      expect(chart).toContain('generator saturated</span>');
    }
    expect(html).toContain('Shaded: the 3 seconds where the load generator was saturated');
  });

  it('draws the engine CPU and lag over time, one line each', () => {
    const chart = /id="chart-engine">[\s\S]*?<\/figure>/.exec(renderReportBody(withEngine()))![0];
    expect(chart.match(/<polyline/g)).toHaveLength(2);
    expect(chart).toContain('<title>CPU %</title>');
    expect(chart).toContain('<title>lag p99 (ms)</title>');
  });

  it('leaves the engine chart and the shading out for a summary without engine samples', () => {
    const html = renderReportBody(richSummary());
    expect(html).not.toContain('id="chart-engine"');
    expect(html).not.toContain('class="band"');
    expect(html).not.toContain('Shaded:');
  });
});
