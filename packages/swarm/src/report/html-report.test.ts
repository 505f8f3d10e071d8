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

  it('escapes its labels', () => {
    expect(esc(`<a href="x">'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;');
  });
});
