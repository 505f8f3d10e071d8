import type { EntrySummary } from '../stats/summary-types';
/** Milliseconds for a table: whole numbers from 10 ms up, two decimals below. */
export function fmtMs(ms: number): string {
  if (ms >= 10) return String(Math.round(ms));
  return ms.toFixed(2);
}

/** A rate or ratio with up to two decimals. */
export function fmtRate(x: number): string {
  return (Math.round(x * 100) / 100).toFixed(2);
}

export function fmtPercent(x: number): string {
  return `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
}

/**
 * Lays out rows as a plain-text table: the first `leftColumns` (default 1) left-aligned (names), the others
 * right-aligned (numbers), two spaces between columns and a rule under the header.
 *
 * @example
 * table([['Name', '# reqs'], ['/users', '12']]);
 */
export function table(rows: readonly (readonly string[])[], leftColumns = 1): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** Quotes a CSV field when it is text, as Locust does; numbers stay bare. */
export function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return `"${v.replace(/"/g, '""')}"`;
}

export function csvLine(fields: readonly (string | number)[]): string {
  return fields.map(csvField).join(',');
}

/**
 * Locust's timing and rate columns of one row, formatted: Avg, Min, Max, Med, p95, p99, req/s, failures/s. The
 * console table and the HTML report both show them, so they are formatted in one place. The rates are over the
 * whole run, or with `current` (a live view, as Locust's) over the last complete seconds.
 */
export function timingCells(e: EntrySummary, current = false): string[] {
  return [
    fmtMs(e.avgMs),
    fmtMs(e.minMs),
    fmtMs(e.maxMs),
    fmtMs(e.medianMs),
    fmtMs(e.percentiles['95'] ?? 0),
    fmtMs(e.percentiles['99'] ?? 0),
    fmtRate(current ? e.currentRps : e.rps),
    fmtRate(current ? e.currentFailRps : e.failRps),
  ];
}

/**
 * What the console and the HTML report say of requests cut short by a forced stop (pure), or null when none was:
 * the target may have counted them, so a comparison with its numbers has to allow for them.
 *
 * @example
 * interruptedNote({ ...summary, interrupted: 2 }); // '2 requests in flight at a forced stop were cut short ...'
 */
export function interruptedNote(s: { interrupted?: number }): string | null {
  const n = s.interrupted ?? 0;
  if (n === 0) return null;
  return (
    `${n} request${n === 1 ? ' was' : 's were'} in flight when users were stopped and ${n === 1 ? 'was' : 'were'} cut short: ` +
    'sent (the target may have counted them) but in no number above; --stop-timeout lets tasks finish'
  );
}
