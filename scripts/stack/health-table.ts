/**
 * One row per part of the stack, as `make health` prints it. Pure: `renderHealthTable` turns rows into text, so
 * the same rows can be printed, asserted on in a test, or emitted as JSON.
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

export function renderHealthTable(rows: HealthRow[]): string {
  const table = [COLUMNS.map(String), ...rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** True when every part is up (a degraded replica fails `make health`, so scripts can gate on it). */
export const allHealthy = (rows: HealthRow[]) => rows.every((r) => r.status === 'up');
