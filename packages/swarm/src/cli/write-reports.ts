import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderCsv } from '../report/csv-report';
import { type HtmlReportOptions, renderHtmlReport } from '../report/html-report';
import { renderJson } from '../report/json-report';
import { renderJunit } from '../report/junit-report';
import type { Summary } from '../stats/summary-types';

export interface ReportTargets {
  json?: string;
  csv?: string;
  junit?: string;
  html?: string;
}

/** Writes `value` as indented JSON to `path` (its folder made), and returns the path. */
export function writeJson(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/**
 * Writes the file reports asked for; every one renders the same summary (the HTML one with the comparison with
 * a baseline when there is one). Returns the paths written.
 */
export function writeReports(
  summary: Summary,
  targets: ReportTargets,
  baseline?: HtmlReportOptions['baseline'],
): string[] {
  const files: Record<string, string> = {};
  if (targets.json) files[targets.json] = renderJson(summary);
  if (targets.csv) Object.assign(files, renderCsv(summary, targets.csv));
  if (targets.junit) files[targets.junit] = renderJunit(summary);
  if (targets.html) files[targets.html] = renderHtmlReport(summary, { baseline });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return Object.keys(files);
}
