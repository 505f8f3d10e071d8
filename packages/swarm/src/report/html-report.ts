import type { Comparison } from '../compare/compare';
import type { Summary } from '../stats/summary-types';
import { fmtMs, fmtPercent, fmtRate } from './format';
import { comparisonSection } from './html-comparison';
import { metricsSection, recoverySection, timelineTableSection } from './html-faults';
import { esc } from './html-parts';
import { serverSection } from './html-server';
import { REPORT_CSS } from './html-style';
import {
  cacheSection,
  configSection,
  customSections,
  endpointSection,
  engineSection,
  errorSection,
  interruptedSection,
  openModelSection,
  percentileSection,
  replicaSection,
  thresholdSection,
  throttleSection,
} from './html-tables';
import { timelineSection } from './html-timeline';
import { droppedText, partialSection, stopParagraph } from './run-facts';

export interface ReportBodyOptions {
  /** A run still going: the banner says so instead of judging thresholds that are evaluated at the end. */
  live?: boolean;
  /** A comparison with a baseline run (`--baseline`, `swarm compare`): shown as its own section. */
  baseline?: { name: string; comparison: Comparison };
}

function verdict(s: Summary, live: boolean): string {
  if (live) return '<span class="verdict live" id="verdict">RUNNING</span>';
  if (s.thresholds.length === 0) return '<span class="verdict pass" id="verdict">DONE (no thresholds)</span>';
  const failed = s.thresholds.filter((t) => !t.ok).length;
  return failed === 0
    ? '<span class="verdict pass" id="verdict">PASS</span>'
    : `<span class="verdict fail" id="verdict">FAIL: ${failed} of ${s.thresholds.length} thresholds</span>`;
}

function headline(s: Summary): string {
  const t = s.total;
  const users = s.timeSeries.at(-1)?.users ?? 0;
  const fails = t.requests === 0 ? 0 : t.failures / t.requests;
  const items: Array<[string, string, string]> = [
    ['users', 'users', String(users)],
    ['requests', 'requests', String(t.requests)],
    ['rps', 'req/s (last 10 s)', fmtRate(t.currentRps)],
    ['failures', 'failures', fmtPercent(fails)],
    ['p95', 'p95 (ms)', fmtMs(t.percentiles['95'] ?? 0)],
  ];
  // The open model's dropped iterations go beside the failures: load that was due and never sent.
  if (droppedText(s) !== null) {
    items.splice(4, 0, ['dropped', 'dropped', fmtPercent(s.dropped / Math.max(1, s.iterations + s.dropped))]);
  }
  return `<p class="headline">${items
    .map(([id, label, v]) => `<span>${esc(label)} <b id="stat-${id}">${esc(v)}</b></span>`)
    .join(' · ')}</p>`;
}

/**
 * Everything the report shows, as an HTML fragment (pure): the verdict and thresholds, the headline numbers, the
 * charts over time and under them the servers' (`--prometheus`), the request and percentile tables, replicas,
 * cache, throttling, errors, the open model, the scenario's own sections, the load generator's health and the
 * configuration; with `options.baseline`, the comparison with that run after the thresholds. The web UI shows this same
 * fragment, re-rendered from each live summary, so the UI and the report cannot disagree.
 *
 * @example
 * element.innerHTML = renderReportBody(summary, { live: true });
 */
export function renderReportBody(s: Summary, options: ReportBodyOptions = {}): string {
  const parts = [
    `<div class="summary-line">${verdict(s, options.live === true)}${headline(s)}</div>`,
    options.live ? null : stopParagraph(s),
    partialSection(s),
    s.monitor?.warning ? engineSection(s) : null,
    options.live ? null : thresholdSection(s),
    options.baseline ? comparisonSection(options.baseline.comparison, options.baseline.name) : null,
    timelineSection(s),
    serverSection(s),
    timelineTableSection(s),
    recoverySection(s),
    metricsSection(s),
    endpointSection(s, options.live === true),
    percentileSection(s),
    replicaSection(s),
    cacheSection(s),
    throttleSection(s),
    interruptedSection(s),
    errorSection(s),
    openModelSection(s),
    ...customSections(s),
    s.monitor?.warning ? null : engineSection(s),
    configSection(s),
  ];
  return parts.filter((p): p is string => p !== null).join('\n');
}

export interface HtmlReportOptions {
  /** The page title; default `Swarm report <start time>`. */
  title?: string;
  /** Passed on to `renderReportBody`: the comparison with a baseline run. */
  baseline?: ReportBodyOptions['baseline'];
}

/**
 * The HTML report (pure): one self-contained page — inline CSS, charts as inline SVG, no script, no network — so
 * it opens from disk and can be mailed or archived as it is. Every text from the run is escaped.
 *
 * @example
 * writeFileSync('out/report.html', renderHtmlReport(summary));
 */
export function renderHtmlReport(s: Summary, options: HtmlReportOptions = {}): string {
  const title = options.title ?? `Swarm report ${new Date(s.startedAt).toISOString()}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<main id="report">
${renderReportBody(s, { baseline: options.baseline })}
</main>
</body>
</html>
`;
}
