import { z } from 'zod';
import { MAX_LATENCY_MS } from './env';

/**
 * How the service answers `GET /work` now: after `latencyMs` ± `jitterMs` (uniform, never below 0), failing with
 * probability `errorRate`. Pure: the draw takes its random numbers from the caller.
 */
export interface Behaviour {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
}

const latency = z.number().int().min(0).max(MAX_LATENCY_MS);

/** A change of behaviour as `PUT /admin/behaviour` takes it: any of the three fields, the rest kept. */
export const behaviourPatch = z
  .object({ latencyMs: latency, jitterMs: latency, errorRate: z.number().min(0).max(1) })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, {
    message: 'give at least one of latencyMs, jitterMs, errorRate',
  });

export type BehaviourPatch = z.infer<typeof behaviourPatch>;

/** One answer's fate: how long to wait, and whether to fail. `random` gives numbers in [0, 1). */
export function draw(b: Behaviour, random: () => number): { delayMs: number; fail: boolean } {
  const delayMs = Math.max(0, Math.round(b.latencyMs + (random() * 2 - 1) * b.jitterMs));
  // A rate of 0 never fails and 1 always does, whatever the draw.
  const fail = b.errorRate > 0 && random() < b.errorRate;
  return { delayMs, fail };
}
