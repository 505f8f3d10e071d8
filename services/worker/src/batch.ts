import { decodeEntry, type EventInsert } from '../../api/src/events/entry';

/** An entry as ioredis returns it from XREADGROUP / XAUTOCLAIM: `[id, [field, value, ...]]`. */
export type RawEntry = [string, string[]];

export interface Batch {
  /** Rows to insert, at most one per event id (the first entry wins, as ON CONFLICT DO NOTHING would keep it). */
  rows: EventInsert[];
  /** Every entry id of the batch, to acknowledge once the rows are written: malformed and duplicate ones too. */
  ackIds: string[];
  /** What was wrong with each entry that is not an event. */
  malformed: string[];
}

/**
 * Turns entries read from the stream into the rows of one INSERT. Pure. An entry can appear with null fields when
 * it was deleted after delivery (XAUTOCLAIM reports such ids apart; XREADGROUP of own history gives nil fields):
 * it is acknowledged with the rest and inserts nothing.
 */
export function buildBatch(entries: readonly (RawEntry | [string, null])[]): Batch {
  const rows: EventInsert[] = [];
  const ackIds: string[] = [];
  const malformed: string[] = [];
  const seen = new Set<string>();
  for (const [streamId, fields] of entries) {
    ackIds.push(streamId);
    if (fields === null) continue;
    const row = decodeEntry(streamId, fields);
    if (typeof row === 'string') {
      malformed.push(row);
      continue;
    }
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    rows.push(row);
  }
  return { rows, ackIds, malformed };
}
