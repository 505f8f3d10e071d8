import type { StopReason, StopSummary } from '../stats/summary-types';

/**
 * Why a run stops, as `Summary.stop` records it. A caller that stops a run through `RunOptions.signal` says why
 * by aborting with one of these (`controller.abort(stopCause('signal', 'SIGTERM'))`); any other abort reason
 * counts as `stopped` (its caller stopped it).
 *
 * @example
 * controller.abort(stopCause('signal', 'SIGINT'));
 */
export function stopCause(reason: StopReason, detail: string): StopSummary {
  return { reason, detail };
}

const REASONS: ReadonlySet<string> = new Set<StopReason>([
  'run_time',
  'shape_end',
  'users_stopped',
  'quit',
  'signal',
  'stopped',
  'worker_lost',
  'slo_broken',
]);

/** True for a `StopSummary` (e.g. an abort reason given by `stopCause`). */
export function isStopCause(value: unknown): value is StopSummary {
  const v = value as Partial<StopSummary> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.reason === 'string' &&
    REASONS.has(v.reason) &&
    typeof v.detail === 'string'
  );
}

/** The stop cause an abort signal carries, or `stopped` when it says nothing Swarm knows. */
export function causeOfAbort(signal: AbortSignal): StopSummary {
  return isStopCause(signal.reason) ? signal.reason : stopCause('stopped', 'stopped by its caller');
}
