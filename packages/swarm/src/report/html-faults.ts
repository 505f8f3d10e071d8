import type { Summary } from '../stats/summary-types';
import {
  failuresByEndpoint,
  RECOVERY_HEAD,
  RECOVERY_NOTE,
  recoveryRow,
  TIMELINE_HEAD,
  timelineRow,
} from './fault-facts';
import { esc, htmlTable, section } from './html-parts';

/** The HTML report's Timeline table (the annotations, times from the run's start); null without any. */
export function timelineTableSection(s: Summary): string | null {
  const annotations = s.annotations ?? [];
  if (annotations.length === 0) return null;
  return section(
    'timeline',
    'Timeline',
    htmlTable(
      TIMELINE_HEAD,
      annotations.map((a) => timelineRow(s, a)),
      2,
      'timeline-table',
    ),
    'Drawn on every chart over time: a shaded band for a window, a line for an instant.',
  );
}

/** The HTML report's Faults and recovery section (one row per fault window, failures by endpoint and status). */
export function recoverySection(s: Summary): string | null {
  const recovery = s.recovery ?? [];
  if (recovery.length === 0) return null;
  const details = recovery.flatMap((r) => failuresByEndpoint(r).map((line) => `${r.label}: ${line}`));
  const list = details.length === 0 ? '' : `<ul>${details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`;
  return section(
    'faults',
    'Faults and recovery',
    htmlTable(
      RECOVERY_HEAD,
      recovery.map((r) => recoveryRow(s, r)),
      2,
      'recovery-table',
    ) + list,
    RECOVERY_NOTE,
  );
}

/** The custom counters (`summary.metrics`); null without any. */
export function metricsSection(s: Summary): string | null {
  const metrics = Object.entries(s.metrics ?? {});
  if (metrics.length === 0) return null;
  return section(
    'metrics',
    'Custom metrics',
    htmlTable(
      ['Metric', 'Count'],
      metrics.map(([k, v]) => [k, v]),
      1,
      'metrics-table',
    ),
  );
}
