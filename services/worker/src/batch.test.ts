import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../api/src/events/entry';
import { buildBatch } from './batch';

const entry = (streamId: string, id: string): [string, string[]] => [
  streamId,
  encodeEvent({ id, type: 't', ts: '2026-01-01T00:00:00Z', payload: '{}' }),
];

describe('buildBatch', () => {
  it('makes one row per event id and acknowledges every entry, duplicates, deleted and malformed ones too', () => {
    const batch = buildBatch([
      entry('1-0', 'a'),
      entry('2-0', 'b'),
      entry('3-0', 'a'),
      ['4-0', null],
      ['5-0', ['x', 'y']],
    ]);
    expect(batch.rows.map((r) => [r.id, r.streamId])).toEqual([
      ['a', '1-0'],
      ['b', '2-0'],
    ]);
    expect(batch.ackIds).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0']);
    expect(batch.malformed).toEqual(['entry 5-0 lacks id, type, ts, payload']);
  });

  it('is empty for no entries', () => {
    expect(buildBatch([])).toEqual({ rows: [], ackIds: [], malformed: [] });
  });
});
