import { randomUUID } from 'node:crypto';
import { HttpError } from '../errors';
import type { StreamEvent } from './entry';
import type { EventBody } from './schemas';

/**
 * Validated events as they go on the stream: the payload serialised once (its size checked against
 * `maxPayloadBytes`, UTF-8 bytes of the JSON text), the id and time filled in when the client left them out.
 * Throws a 413 EVENT_PAYLOAD_TOO_LARGE naming every event over the limit (`path` is `payload` for a single event,
 * `events.<i>.payload` in a batch). Pure but for the clock and the random ids.
 */
export function prepareEvents(
  bodies: readonly EventBody[],
  maxPayloadBytes: number,
  pathPrefix: string,
  now = new Date(),
): StreamEvent[] {
  const ts = now.toISOString();
  const tooLarge: { path: string; message: string }[] = [];
  const prepared = bodies.map((body, i): StreamEvent => {
    const payload = JSON.stringify(body.payload);
    const bytes = Buffer.byteLength(payload);
    if (bytes > maxPayloadBytes) {
      tooLarge.push({
        path: `${pathPrefix.replace('#', String(i))}payload`,
        message: `is ${bytes} bytes of JSON, over EVENT_PAYLOAD_MAX_BYTES (${maxPayloadBytes})`,
      });
    }
    return {
      id: body.id ?? randomUUID(),
      type: body.type,
      ts: body.timestamp ?? ts,
      runId: body.runId,
      payload,
    };
  });
  if (tooLarge.length > 0) {
    throw new HttpError(
      413,
      'EVENT_PAYLOAD_TOO_LARGE',
      `an event's payload may be at most ${maxPayloadBytes} bytes of JSON`,
      tooLarge,
    );
  }
  return prepared;
}
