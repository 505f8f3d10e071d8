import type { Annotation, RecoveryEntry, Summary } from '../stats/summary-types';

/**
 * The words and numbers the console and HTML reports share for the timeline, the fault windows and the custom
 * metrics (pure).
 */

/** Seconds from the run's start, e.g. `+12.3s`. */
export function sinceStart(s: Summary, atMs: number): string {
  const secs = Math.round((atMs - s.startedAt) / 100) / 10;
  return `${secs < 0 ? '' : '+'}${secs}s`;
}

/** A window's length in seconds, `-` for an instant. */
export function durationOf(a: { at: number; end?: number | undefined }): string {
  return a.end === undefined ? '-' : `${Math.round((a.end - a.at) / 100) / 10}s`;
}

/** One row of the Timeline table: at, label, kind, duration, source. */
export function timelineRow(s: Summary, a: Annotation): string[] {
  return [sinceStart(s, a.at), a.label, a.kind ?? '-', durationOf(a), a.source ?? '-'];
}

export const TIMELINE_HEAD = ['At', 'Label', 'Kind', 'Duration', 'Source'];

const num = (x: number | null, unit: string) => (x === null ? '-' : `${Math.round(x * 1000) / 1000}${unit}`);

/** One row of the Faults and recovery table. */
export function recoveryRow(s: Summary, r: RecoveryEntry): string[] {
  return [
    sinceStart(s, r.at),
    r.label,
    durationOf(r),
    String(r.requests),
    String(r.failures),
    num(r.firstFailureS, 's'),
    num(r.baselineP95Ms, ' ms'),
    r.recoveryS === null ? `never: ${r.reason ?? ''}` : `${num(r.recoveryS, 's')}`,
    String(r.faultFailures),
  ];
}

export const RECOVERY_HEAD = [
  'At',
  'Fault',
  'Duration',
  'Requests',
  'Failures',
  'First failure',
  'Baseline p95',
  'Recovered after',
  'Fault failures',
];

/** The failures of a fault's span by endpoint and status, e.g. `GET /users/:id 503×12, 0×3`. */
export function failuresByEndpoint(r: RecoveryEntry): string[] {
  return r.endpoints
    .filter((e) => e.failures > 0)
    .map(
      (e) =>
        `${e.method} ${e.name}: ${e.failures} of ${e.requests} failed (${Object.entries(e.statuses)
          .map(([status, n]) => `${status === '0' ? 'no response' : status}×${n}`)
          .join(', ')})`,
    );
}

export const RECOVERY_NOTE =
  'Recovered after: from the end of the fault (an instant, or a kill started again later: the fault itself) until ' +
  'failures are 0 and p95 (from 100 answers or 5 s) is within 1.5× the p95 of the 60 s before it, held for 10 s. ' +
  'Fault failures: from the fault to its recovery.';
