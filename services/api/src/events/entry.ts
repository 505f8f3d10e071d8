/**
 * One event as it travels through the Redis stream, between the API (which appends it) and the ingest workers
 * (which insert it): a flat list of fields, the payload kept as the JSON text the client sent, so neither side
 * parses it again. Pure: no I/O.
 */
export interface StreamEvent {
  id: string;
  type: string;
  /** ISO 8601 with an offset, the event's own time (the client's, else when the API took it). */
  ts: string;
  /** The load test's run the event belongs to, if the client said (the event's `runId`). */
  runId?: string | undefined;
  /** The payload as JSON text. */
  payload: string;
}

/** The row a worker inserts for an entry: the event plus the stream entry id it came from. */
export interface EventInsert {
  id: string;
  type: string;
  ts: string;
  runId: string | null;
  payload: string;
  streamId: string;
}

/** The fields of an XADD for `event`, in the order `decodeEntry` reads them. */
export function encodeEvent(event: StreamEvent): string[] {
  const fields = ['id', event.id, 'type', event.type, 'ts', event.ts, 'payload', event.payload];
  if (event.runId !== undefined) fields.push('run', event.runId);
  return fields;
}

/**
 * The row for a stream entry (`XREADGROUP`'s `[id, [field, value, ...]]`), or a string saying what is wrong with
 * it when it was not written by `encodeEvent` (a worker acks such an entry and counts it as malformed).
 */
export function decodeEntry(streamId: string, fields: readonly string[]): EventInsert | string {
  let id: string | undefined;
  let type: string | undefined;
  let ts: string | undefined;
  let payload: string | undefined;
  let runId: string | null = null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] as string;
    switch (fields[i]) {
      case 'id':
        id = value;
        break;
      case 'type':
        type = value;
        break;
      case 'ts':
        ts = value;
        break;
      case 'payload':
        payload = value;
        break;
      case 'run':
        runId = value;
        break;
    }
  }
  const missing = [
    ['id', id],
    ['type', type],
    ['ts', ts],
    ['payload', payload],
  ]
    .filter(([, v]) => v === undefined || v === '')
    .map(([k]) => k);
  if (missing.length > 0) return `entry ${streamId} lacks ${missing.join(', ')}`;
  return {
    id: id as string,
    type: type as string,
    ts: ts as string,
    payload: payload as string,
    runId,
    streamId,
  };
}

/** Milliseconds since the epoch when a stream entry was added, from its id (`<ms>-<seq>`). */
export function entryTimeMs(streamId: string): number {
  return Number(streamId.slice(0, streamId.indexOf('-')));
}
