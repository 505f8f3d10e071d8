import { describe, expect, it } from 'vitest';
import type { Summary } from '../stats/summary-types';
import { renderReportBody } from './html-report';
import { serverSection } from './html-server';
import { sampleSummary } from './test-support';

function withServer(): Summary {
  const s = sampleSummary();
  const p = s.timeSeries[0]!;
  const t0 = p.t;
  return {
    ...s,
    timeSeries: [0, 1, 2].map((i) => ({ ...p, t: t0 + i })),
    server: {
      source: 'http://127.0.0.1:9090',
      stepS: 1,
      queries: [
        { name: 'process_cpu_cores', query: 'rate(x[5s])', unit: 'cores' },
        { name: 'redis_cpu_cores', query: 'rate(y[5s])', unit: 'cores', error: 'HTTP 400: parse error' },
        { name: 'pg_connections', query: 'sum(z)', unit: 'connections' },
      ],
      series: [
        {
          name: 'process_cpu_cores',
          labels: { instance: 'app1', job: 'api' },
          points: [
            [t0, 0.2],
            [t0 + 1, 0.5],
            [t0 + 2, 0.9],
          ],
        },
        {
          name: 'process_cpu_cores',
          labels: { instance: 'app2', job: 'api' },
          points: [
            [t0, 0.1],
            [t0 + 2, 0.4],
          ],
        },
      ],
      warnings: ['Prometheus query redis_cpu_cores failed: HTTP 400: parse error'],
    },
  };
}

describe('server charts', () => {
  it('draws one chart per query, titled with its name and unit, one line per replica', () => {
    const html = serverSection(withServer())!;
    const cpu = html.slice(html.indexOf('id="chart-server-0"'), html.indexOf('id="chart-server-1"'));
    expect(cpu).toContain('process_cpu_cores <small>(cores)</small>');
    expect(cpu.match(/<polyline class="series"/g)).toHaveLength(3); // app1 whole, app2 split at its gap
    expect(cpu).toContain('<title>app1</title>');
    expect(cpu).toContain('<title>app2</title>');
    expect(cpu).not.toContain('data-empty');
  });

  it('says why a chart is empty: its error, or no series', () => {
    const html = serverSection(withServer())!;
    expect(html).toMatch(/id="chart-server-1" data-empty="true">.*no data: HTTP 400: parse error/);
    expect(html).toMatch(
      /id="chart-server-2" data-empty="true">.*Prometheus returned no series for sum\(z\)/,
    );
    expect(html).toContain('Prometheus query redis_cpu_cores failed');
  });

  it('sits under the client charts in the report and the live UI, and is absent without --prometheus', () => {
    const body = renderReportBody(withServer());
    expect(body.indexOf('id="server"')).toBeGreaterThan(body.indexOf('id="charts"'));
    expect(renderReportBody(sampleSummary())).not.toContain('id="server"');
    expect(serverSection(sampleSummary())).toBeNull();
  });
});
