import type { TargetState } from './scrape-targets';

/**
 * One row per part of the stack, as `make health` prints it. Pure: `renderHealthTable` turns rows into text, so
 * the same rows can be printed, asserted on in a test, or emitted as JSON; `renderTargetsTable` does the same for
 * Prometheus's scrape targets.
 */
export interface HealthRow {
  part: string;
  /** `up`, `down`, or `degraded` (answers but is not ready). */
  status: 'up' | 'down' | 'degraded';
  instance?: string;
  uptimeS?: number;
  ready?: boolean;
  /** Anything else worth a glance: a version, an address, the error when it is down. */
  detail?: string;
}

const COLUMNS = ['part', 'status', 'instance', 'uptime', 'ready', 'detail'] as const;

function cells(row: HealthRow): string[] {
  return [
    row.part,
    row.status,
    row.instance ?? '-',
    row.uptimeS === undefined ? '-' : formatUptime(row.uptimeS),
    row.ready === undefined ? '-' : row.ready ? 'yes' : 'no',
    row.detail ?? '',
  ];
}

/** `42s`, `3m07s`, `2h05m`: short enough for a table column. */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
function renderColumns(header: readonly string[], rows: string[][]): string {
  const table = [[...header], ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const renderHealthTable = (rows: HealthRow[]): string => renderColumns(COLUMNS, rows.map(cells));

const TARGET_COLUMNS = ['target', 'address', 'state', 'last scrape', 'took', 'error'] as const;

function targetCells(t: TargetState): string[] {
  // The load generator serves its metrics only while a load test runs: down is its normal state between runs.
  const note = !t.required && t.health !== 'up' ? ' (expected: up only during a load test)' : '';
  return [
    `${t.job} ${t.instance === t.address ? '' : t.instance}`.trim(),
    t.address,
    t.health,
    t.lastScrapeAgoS === undefined ? '-' : `${t.lastScrapeAgoS.toFixed(1)}s ago`,
    t.scrapeMs === undefined ? '-' : `${t.scrapeMs.toFixed(1)} ms`,
    `${t.lastError ?? ''}${note}`.trim(),
  ];
}

/** Prometheus's scrape targets: job and replica, address, up or down, when last scraped, how long it took, why not. */
export const renderTargetsTable = (targets: TargetState[]): string =>
  renderColumns(TARGET_COLUMNS, targets.map(targetCells));

/**
 * True when every part is up and every required scrape target too (a degraded replica fails `make health`, so
 * scripts can gate on it; the load generator's target, down between runs, does not).
 */
export const allHealthy = (rows: HealthRow[], targets: TargetState[] = []) =>
  rows.every((r) => r.status === 'up') && targets.every((t) => !t.required || t.health === 'up');
