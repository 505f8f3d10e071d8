import { describe, expect, it } from 'vitest';
import { EndpointSeries } from '../stats/endpoint-series';
import { RequestStats } from '../stats/request-stats';
import { mergeSummaries, toSummary } from '../stats/summary';
import { requestEvent } from '../stats/test-support';
import { renderConsole, renderProgress, renderStatsTable } from './console-report';
import { renderCsv } from './csv-report';
import { renderHtmlReport, renderReportBody } from './html-report';
import { renderJson } from './json-report';
import { renderJunit } from './junit-report';
import { sampleSummary, summaryOf } from './test-support';

describe('console report', () => {
  const text = renderConsole(sampleSummary());
  const lines = text.split('\n');

  it('has Locust columns and one row per endpoint plus the aggregate', () => {
    expect(lines[0]).toMatch(
      /^Type\s+Name\s+# reqs\s+# fails\s+Avg\s+Min\s+Max\s+Med\s+p95\s+p99\s+req\/s\s+failures\/s$/,
    );
    const users = lines.find((l) => l.startsWith('GET   /users/:id'))!;
    expect(users.split(/\s{2,}/).slice(0, 8)).toEqual([
      'GET',
      '/users/:id',
      '10',
      '0(0.0%)',
      '55',
      '10',
      '100',
      '50',
    ]);
    expect(lines.find((l) => l.trimStart().startsWith('Aggregated'))).toMatch(/Aggregated\s+12\s+1\(8\.3%\)/);
  });

  it('shows replicas, cache, throttling, errors, exceptions, thresholds and the engine warning', () => {
    expect(text).toMatch(
      /Replica distribution \(x-instance\)[\s\S]*api-1\s+5\s+41\.7%[\s\S]*\(no header\)\s+2/,
    );
    expect(text).toMatch(/Cache \(X-Cache\): hit ratio 80\.0%[\s\S]*HIT\s+8/);
    expect(text).toContain('Throttled (429): 1 (8.3%), not counted as failures');
    expect(text).toContain('POST create, "quoted": HTTP 500');
    expect(text).toContain('Reader.browse: TypeError: boom');
    expect(text).toMatch(/PASS\s+p\(95\)<500\s+100\.031/);
    expect(text).toMatch(/FAIL\s+rate<0\.01\s+0\.083/);
    expect(text).toContain('WARNING: the load generator was saturated');
  });

  it('renders a one-line progress', () => {
    expect(renderProgress(sampleSummary(), 3)).toMatch(
      /^\[2s\/2s\] users 3 {2}req\/s \d+\.\d\d {2}reqs 12 {2}fails 8\.3% {2}p95 \d+ ms$/,
    );
  });
});

describe('live views', () => {
  // 10 req/s for 20 s, then 50 req/s for 10 s; the live summary is taken at the 30th second (a fake clock).
  const T0 = 1_700_000_000_000;
  const stats = new RequestStats(T0);
  for (let i = 0; i < 200; i++) stats.record(requestEvent({ time: T0 + i * 100 }));
  for (let i = 0; i < 500; i++) stats.record(requestEvent({ time: T0 + 20_000 + i * 20 }));
  const live = toSummary(stats, { nowMs: T0 + 30_000, config: sampleSummary().config });
  const aggregated = (text: string) => text.split('\n').find((l) => l.trimStart().startsWith('Aggregated'))!;

  it('show req/s over the last complete seconds, as Locust does, in the progress line, the table and the UI', () => {
    expect(live.total.currentRps).toBe(50);
    expect(renderProgress(live, 5)).toContain('req/s 50.00');
    expect(aggregated(renderStatsTable(live, { live: true }))).toMatch(/\s50\.00\s+0\.00$/);
    const page = renderReportBody(live, { live: true });
    expect(page).toContain('req/s (last 10 s)');
    expect(page).toMatch(/Aggregated<\/td>(<td[^>]*>[^<]*<\/td>){9}<td[^>]*>50\.00<\/td>/);
  });

  it('leave the final table and report with the rates over the whole run', () => {
    expect(aggregated(renderStatsTable(live))).toMatch(/\s23\.33\s+0\.00$/);
    expect(renderReportBody(live)).toMatch(/Aggregated<\/td>(<td[^>]*>[^<]*<\/td>){9}<td[^>]*>23\.33<\/td>/);
  });
});

describe('CSV report', () => {
  const files = renderCsv(sampleSummary(), 'out/run');

  it('writes the four Locust files, and the thresholds file when there are thresholds', () => {
    expect(Object.keys(files)).toEqual([
      'out/run_stats.csv',
      'out/run_stats_history.csv',
      'out/run_failures.csv',
      'out/run_exceptions.csv',
      'out/run_thresholds.csv',
    ]);
    expect(Object.keys(renderCsv({ ...sampleSummary(), thresholds: [] }, 'out/run'))).toHaveLength(4);
  });

  it('carries each threshold verdict with its message', () => {
    const s = {
      ...sampleSummary(),
      thresholds: [
        { expression: 'lost_writes==0', actual: null, ok: false, message: 'no metric named lost_writes' },
      ],
    };
    const lines = renderCsv(s, 'out/run')['out/run_thresholds.csv']!.trim().split('\n');
    expect(lines).toEqual([
      '"Verdict","Threshold","Actual","Message"',
      '"FAIL","lost_writes==0","","no metric named lost_writes"',
    ]);
  });

  it('quotes text, escapes quotes and ends with the aggregate row', () => {
    const stats = files['out/run_stats.csv']!.trim().split('\n');
    expect(stats[0]).toMatch(/^"Type","Name","Request Count","Failure Count","Median Response Time",/);
    expect(stats[0]).toMatch(/"99\.9%","99\.99%","100%"$/);
    expect(stats.some((l) => l.startsWith('"POST","create, ""quoted""",1,1,'))).toBe(true);
    expect(stats.at(-1)).toMatch(/^"","Aggregated",12,1,/);
    expect(files['out/run_failures.csv']).toContain('"POST","create, ""quoted""","HTTP 500",1');
  });

  it('writes one history row per second with running totals', () => {
    const [header, ...rows] = files['out/run_stats_history.csv']!.trim().split('\n');
    expect(header).toMatch(
      /"Failures\/s","50%","66%",.*"100%","Total Request Count","Total Failure Count","Total Median Response Time"/,
    );
    expect(rows).toHaveLength(3);
    const last = rows.at(-1)!.split(',');
    const col = (name: string) => last[header!.split(',').indexOf(`"${name}"`)];
    expect([col('Total Request Count'), col('Total Failure Count')]).toEqual(['12', '1']);
    expect(Number(col('Total Max Response Time'))).toBeGreaterThanOrEqual(
      Number(col('Total Median Response Time')),
    );
  });

  it('ends the history with Locust’s Total Average Content Size: bytes so far over requests so far', () => {
    const [header, ...rows] = files['out/run_stats_history.csv']!.trim().split('\n');
    expect(header).toMatch(/"Total Max Response Time","Total Average Content Size"$/);
    // sampleSummary: 12 requests of 100 bytes each.
    expect(rows.at(-1)!.split(',').at(-1)).toBe('100');
  });

  it('with the per-endpoint series (--csv-full-history), writes each row’s line before the aggregate, each second', () => {
    const T0 = 1_700_000_000_000;
    const stats = new RequestStats(T0);
    const series = new EndpointSeries();
    const events = [
      requestEvent({ name: '/a', ms: 4, time: T0 + 10 }),
      requestEvent({ method: 'POST', name: '/b', ms: 8, time: T0 + 20 }),
      requestEvent({ name: '/a', ms: 6, time: T0 + 1010 }),
    ];
    for (const e of events) {
      stats.record(e);
      series.record(e);
    }
    stats.finish(T0 + 2000, 1);
    series.closeBefore(T0 / 1000 + 3);
    const full = { ...toSummary(stats, { config: sampleSummary().config }), endpointSeries: series.points };
    const lines = renderCsv(full, 'x')['x_stats_history.csv']!.trim().split('\n').slice(1);
    const cells = lines.map((l) => l.split(',').slice(2, 6).concat(l.split(',').slice(17, 19)));
    expect(cells).toEqual([
      ['"GET"', '"/a"', '1', '0', '1', '0'],
      ['"POST"', '"/b"', '1', '0', '1', '0'],
      ['""', '"Aggregated"', '2', '0', '2', '0'],
      ['"GET"', '"/a"', '1', '0', '2', '0'],
      ['""', '"Aggregated"', '1', '0', '3', '0'],
      ['""', '"Aggregated"', '0', '0', '3', '0'],
    ]);
  });

  it('writes the exceptions with Locust’s columns: Count, Message, Traceback, Nodes', () => {
    const text = files['out/run_exceptions.csv']!;
    expect(text.split('\n')[0]).toBe('"Count","Message","Traceback","Nodes"');
    expect(text).toMatch(/^1,"TypeError: boom","in task Reader\.browse\nTypeError: boom\n {4}at /m);
    expect(text.trimEnd()).toMatch(/,"local"$/);
  });
});

describe('the slowest request in every report', () => {
  // 9.993 ms lies in the 8 µs bucket 9.992–9.999 ms: a bucket top would print as 10.00 beside a Max of 9.99.
  const one = summaryOf([2.5, 9.993]);
  const merged = mergeSummaries([one, summaryOf([3.25])].map((s) => JSON.parse(JSON.stringify(s))));

  for (const [label, s] of Object.entries({ 'one process': one, 'merged workers': merged })) {
    it(`is the same number as p100, and p99 stays at or under it (${label})`, () => {
      expect(s.total.maxMs).toBe(9.993);
      expect(s.total.percentiles['100']).toBe(9.993);
      expect(s.total.percentiles['99']).toBe(9.993);
      expect(JSON.parse(renderJson(s)).total.percentiles['100']).toBe(9.993);

      const [head, ...rows] = renderCsv(s, 'r')['r_stats.csv']!.trim().split('\n');
      const cells = rows.at(-1)!.split(',');
      const col = (name: string) => cells[head!.split(',').indexOf(`"${name}"`)];
      expect(col('Max Response Time')).toBe('9.993');
      expect(col('100%')).toBe('9.993');
      expect(col('99%')).toBe('9.993');
      const [hHead, ...history] = renderCsv(s, 'r')['r_stats_history.csv']!.trim().split('\n');
      const last = history.at(-1)!.split(',');
      expect(last[hHead!.split(',').indexOf('"Total Max Response Time"')]).toBe('9.993');
      expect(last[hHead!.split(',').indexOf('"Total Min Response Time"')]).toBe('2.5');

      const console = renderConsole(s);
      expect(console).not.toContain('10.00');
      expect(console).toMatch(/Aggregated(\s+\S+){4}\s+9\.99\s/); // # reqs, # fails, Avg, Min, then Max
      const html = renderHtmlReport(s);
      expect(html).toContain('9.99');
      expect(html).not.toContain('10.00');
    });
  }
});

describe('JSON and JUnit reports', () => {
  it('JSON is the summary itself', () => {
    const s = sampleSummary();
    expect(JSON.parse(renderJson(s))).toEqual(s);
  });

  it('JUnit has one test case per threshold, failures with the actual value', () => {
    const xml = renderJunit(sampleSummary());
    expect(xml).toContain('<testsuites tests="2" failures="1"');
    expect(xml).toContain('<testcase classname="swarm.thresholds" name="p(95)&lt;500" time="0"/>');
    expect(xml).toMatch(/<failure message="rate&lt;0\.01 failed: actual 0\.0833/);
  });
});
