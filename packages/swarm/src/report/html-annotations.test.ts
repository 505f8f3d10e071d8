import { describe, expect, it } from 'vitest';
import { withRecovery } from '../stats/recovery';
import { RequestStats } from '../stats/request-stats';
import { toSummary } from '../stats/summary';
import { requestEvent } from '../stats/test-support';
import { consoleFaults } from './console-faults';
import { lineChart } from './html-chart';
import { renderReportBody } from './html-report';

const T0 = 1_700_000_000_000;

/** 20 s of GET /x, failing (503) in seconds 8-9; a fault window 6-8 s and a note at 3 s. */
function faultySummary() {
  const stats = new RequestStats(T0);
  for (let s = 0; s < 20; s++) {
    for (let i = 0; i < 5; i++) {
      const failed = s === 8 || s === 9;
      stats.record(
        requestEvent({
          time: T0 + s * 1000 + 100 * i,
          status: failed ? 503 : 200,
          error: failed ? 'HTTP 503' : null,
        }),
      );
    }
    stats.tick(T0 + (s + 1) * 1000, 2);
  }
  stats.finish(T0 + 20_000, 2);
  const config = {
    host: 'http://127.0.0.1:1',
    users: 2,
    spawnRate: 2,
    rate: null,
    runTimeS: 20,
    processes: 1,
    segment: null,
    instanceHeader: 'x-instance',
    userClasses: ['Reader'],
  };
  return withRecovery(
    {
      ...toSummary(stats, { config }),
      annotations: [
        { at: T0 + 3000, label: 'cache flushed', kind: 'note' },
        { id: 'f1', at: T0 + 6000, end: T0 + 8000, label: 'redis frozen', kind: 'fault' },
      ],
      metrics: { stale_reads: 0 },
    },
    { holdS: 3 },
  );
}

describe('annotations on the charts', () => {
  it('shades a window and draws a line for an instant, each labelled on hover and in the legend', () => {
    const svg = lineChart({
      id: 'latency',
      title: 'Response time',
      xs: [0, 1, 2, 3, 4, 5],
      series: [{ label: 'p95', values: [1, 2, 3, 4, 5, 6] }],
      annotations: [
        { from: 1, to: 3, label: 'fault: redis frozen (2s)' },
        { from: 4, label: 'app2 killed' },
        { from: 40, label: 'outside' },
      ],
    });
    expect(
      svg.match(/<rect class="annotation"[^>]*><title>fault: redis frozen \(2s\)<\/title><\/rect>/g),
    ).toHaveLength(1);
    expect(
      svg.match(/<g class="annotation-mark"><line [^>]*\/><title>app2 killed<\/title><\/g>/g),
    ).toHaveLength(1);
    expect(svg).toContain('<span class="key annotation-key"><i class="annotation"></i>app2 killed</span>');
    expect(svg).not.toContain('outside');
  });

  it('draws them on every chart over time of the report, with the Timeline, Faults and metrics tables', () => {
    const html = renderReportBody(faultySummary());
    const charts = html.match(/<figure class="chart" id="chart-[^"]+">[\s\S]*?<\/figure>/g) ?? [];
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const chart of charts) {
      expect(chart).toContain('<title>fault: redis frozen (2s)</title></rect>');
      expect(chart).toContain('<title>note: cache flushed</title></g>');
    }
    expect(html).toMatch(
      /<section id="timeline">[\s\S]*\+3s[\s\S]*cache flushed[\s\S]*redis frozen[\s\S]*2s/,
    );
    expect(html).toMatch(/<section id="faults">[\s\S]*redis frozen/);
    expect(html).toContain('GET /x: 10 of 20 failed (503×10)');
    expect(html).toMatch(/<section id="metrics">[\s\S]*stale_reads/);
  });
});

describe('console faults', () => {
  it('lists the timeline, each fault window with its recovery, and the custom metrics', () => {
    const [timeline, faults, metrics] = consoleFaults(faultySummary());
    expect(timeline).toMatch(/^Timeline\n[\s\S]*\+6s\s+redis frozen\s+fault\s+2s/);
    // Failures in seconds 8-9 after a window that ended at 8 s: healthy from 10 s, 3 s held.
    expect(faults).toMatch(/redis frozen\s+2s\s+10\s+0\s+2s\s+10 ms\s+2s\s+10/);
    expect(faults).toContain('redis frozen: GET /x: 10 of 20 failed (503×10)');
    expect(metrics).toMatch(/stale_reads\s+0/);
    expect(consoleFaults({ ...faultySummary(), annotations: [], recovery: [], metrics: {} })).toEqual([]);
  });
});
