import { z } from 'zod';

/** Most events one POST /api/events/batch takes, like the bulk users endpoint. */
export const MAX_EVENTS_PER_BATCH = 500;

/** An id a client may set (for idempotency) and a run id: 1-128 of letters, digits and `_ . : -`. */
const token = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be 1-128 letters, digits, "_", ".", ":" or "-"');

/**
 * One event as a client sends it: `type` and a JSON `payload` required; `id` (the idempotency key: the same id
 * twice is stored once) and `timestamp` (ISO 8601 with a zone, e.g. 2026-01-01T12:00:00Z) filled in by the API when
 * absent; `runId` optional, stored in the events table's run_id (a load test counts its own events by it).
 * The payload's size is checked apart (EVENT_PAYLOAD_MAX_BYTES), on the JSON text that is queued.
 */
export const eventBody = z.strictObject({
  id: token.optional(),
  type: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$/, 'must be 1-100 letters, digits, "_", ".", ":", "/" or "-"'),
  timestamp: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 time with a zone, like 2026-01-01T12:00:00Z' })
    .optional(),
  runId: token.optional(),
  payload: z.unknown().refine((v) => v !== undefined, 'is required (any JSON value)'),
});

export type EventBody = z.infer<typeof eventBody>;

export const batchBody = z.strictObject({
  events: z.array(eventBody).min(1).max(MAX_EVENTS_PER_BATCH),
});
