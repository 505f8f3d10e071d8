import type { Summary } from '../stats/summary-types';
import {
  failuresByEndpoint,
  RECOVERY_HEAD,
  RECOVERY_NOTE,
  recoveryRow,
  TIMELINE_HEAD,
  timelineRow,
} from './fault-facts';
import { table } from './format';

/**
 * The console's Timeline (annotations), Faults and recovery, and Custom metrics blocks (pure); each absent when
 * the run has none.
 *
 * @example
 * consoleFaults(summary); // ['Timeline\nAt  Label ...', 'Faults and recovery\n...']
 */
export function consoleFaults(s: Summary): string[] {
  const out: string[] = [];
  const annotations = s.annotations ?? [];
  if (annotations.length > 0) {
    out.push(`Timeline\n${table([TIMELINE_HEAD, ...annotations.map((a) => timelineRow(s, a))], 2)}`);
  }
  const recovery = s.recovery ?? [];
  if (recovery.length > 0) {
    const details = recovery.flatMap((r) => failuresByEndpoint(r).map((line) => `  ${r.label}: ${line}`));
    out.push(
      `Faults and recovery\n${table([RECOVERY_HEAD, ...recovery.map((r) => recoveryRow(s, r))], 2)}` +
        `${details.length > 0 ? `\n${details.join('\n')}` : ''}\n${RECOVERY_NOTE}`,
    );
  }
  const metrics = Object.entries(s.metrics ?? {});
  if (metrics.length > 0) {
    out.push(
      `Custom metrics\n${table([['Metric', 'Count'], ...metrics.map(([k, v]) => [k, String(v)])], 1)}`,
    );
  }
  return out;
}
