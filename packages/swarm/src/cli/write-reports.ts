import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
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

/**
 * Writes `content` to `path` (its folder made) whole or not at all: into a temporary file beside it, then renamed
 * over it, so a process watching for the report (a CI step, a test, `swarm merge` on a shared volume) never reads
 * half of one.
 */
export function writeWhole(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, path);
}

/** Writes `value` as indented JSON to `path` (its folder made, whole or not at all), and returns the path. */
export function writeJson(path: string, value: unknown): string {
  writeWhole(path, `${JSON.stringify(value, null, 2)}\n`);
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
  for (const [path, content] of Object.entries(files)) writeWhole(path, content);
  return Object.keys(files);
}
