import { describe, expect, it } from 'vitest';
import { compareSummaries } from '../compare/compare';
import { renderConsole } from './console-report';
import { renderHtmlReport, renderReportBody } from './html-report';
import { sampleSummary } from './test-support';

/** The sample against itself with `/users/:id` 50% slower at p95 and a `<script>` endpoint only in the new run. */
function compared() {
  const base = sampleSummary();
  const current = sampleSummary();
  const users = current.endpoints.find((e) => e.name === '/users/:id')!;
  users.percentiles = { ...users.percentiles, '95': users.percentiles['95']! * 1.5 };
  current.endpoints.push({ ...users, method: 'GET', name: '<script>x</script>' });
  return { current, baseline: { name: 'runs/<base>.json', comparison: compareSummaries(base, current) } };
}

describe('comparison in the reports', () => {
  it('adds "Compared with baseline" to the console report, with deltas and verdicts', () => {
    const { current, baseline } = compared();
    const out = renderConsole(current, { baseline });
    expect(out).toContain('Compared with baseline runs/<base>.json (run of 2023-11-14T22:13:20.000Z;');
    expect(out).toMatch(
      /GET\s+\/users\/:id\s+50 → 50 \(\+0\.0%\)\s+100 → 150 \(\+50\.0%\).*REGRESSED: p95\n/,
    );
    expect(out).toMatch(/GET\s+<script>x<\/script>\s+- → 50\s+.*added\n/);
    expect(out).toContain('1 regression in 1 row.');
    expect(renderConsole(current)).not.toContain('Compared with baseline');
  });

  it('adds an escaped comparison section to the HTML report, regressed cells marked', () => {
    const { current, baseline } = compared();
    const html = renderHtmlReport(current, { baseline });
    expect(html).toContain('<section id="comparison"><h2>Compared with baseline</h2>');
    expect(html).toContain('<code>runs/&lt;base&gt;.json</code>');
    expect(html).toContain('<span class="fail" id="comparison-verdict">1 regression in 1 row.</span>');
    expect(html).toContain('<td>50 → 50 (+0.0%)</td><td><span class="fail">100 → 150 (+50.0%)</span></td>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x');
    // The section sits right after the thresholds, before the charts.
    expect(html.indexOf('id="thresholds"')).toBeLessThan(html.indexOf('id="comparison"'));
    expect(html.indexOf('id="comparison"')).toBeLessThan(html.indexOf('id="charts"'));
  });

  it('leaves the section out without a baseline, so the live UI is unchanged', () => {
    expect(renderReportBody(sampleSummary(), { live: true })).not.toContain('id="comparison"');
  });
});
