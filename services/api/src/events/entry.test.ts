import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEvent, entryTimeMs } from './entry';

describe('stream entries', () => {
  it('decode to the row of the event they encode, with the entry id and run id', () => {
    const event = { id: 'e1', type: 'click', ts: '2026-01-01T00:00:00Z', runId: 'r1', payload: '{"a":1}' };
    expect(decodeEntry('5-0', encodeEvent(event))).toEqual({ ...event, streamId: '5-0' });
  });

  it('leave the run field out when there is no run id, and decode it as null', () => {
    const fields = encodeEvent({ id: 'e2', type: 't', ts: '2026-01-01T00:00:00Z', payload: 'null' });
    expect(fields).not.toContain('run');
    expect(decodeEntry('6-1', fields)).toMatchObject({ id: 'e2', runId: null, payload: 'null' });
  });

  it('name what an entry not written by the API lacks', () => {
    expect(decodeEntry('7-0', ['id', 'x', 'type', '', 'other', 'y'])).toBe(
      'entry 7-0 lacks type, ts, payload',
    );
  });

  it('tell their time from the id', () => {
    expect(entryTimeMs('1700000000123-7')).toBe(1_700_000_000_123);
  });
});
