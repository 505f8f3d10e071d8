import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors';
import { prepareEvents } from './prepare';
import { batchBody, eventBody, MAX_EVENTS_PER_BATCH } from './schemas';

const NOW = new Date('2026-03-04T05:06:07.000Z');

describe('prepareEvents', () => {
  it("fills in an id and the time when the client left them out, and keeps the client's", () => {
    const [made, kept] = prepareEvents(
      [
        { type: 'a', payload: { x: 1 } },
        { id: 'mine', type: 'b', timestamp: '2026-01-01T00:00:00+02:00', runId: 'r', payload: 'text' },
      ],
      100,
      '',
      NOW,
    );
    expect(made).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'a',
      ts: NOW.toISOString(),
      runId: undefined,
      payload: '{"x":1}',
    });
    expect(kept).toEqual({
      id: 'mine',
      type: 'b',
      ts: '2026-01-01T00:00:00+02:00',
      runId: 'r',
      payload: '"text"',
    });
  });

  it('counts the payload in UTF-8 bytes of its JSON and names every event over the limit', () => {
    // "é" is 2 bytes: 4 of them and the quotes are 10 bytes.
    expect(prepareEvents([{ type: 't', payload: 'éééé' }], 10, '')).toHaveLength(1);
    try {
      prepareEvents(
        [
          { type: 't', payload: 'ééééé' },
          { type: 't', payload: 1 },
          { type: 't', payload: 'x'.repeat(9) },
        ],
        10,
        'events.#.',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      const e = err as HttpError;
      expect([e.status, e.code]).toEqual([413, 'EVENT_PAYLOAD_TOO_LARGE']);
      expect((e.details as { path: string }[]).map((d) => d.path)).toEqual([
        'events.0.payload',
        'events.2.payload',
      ]);
    }
  });
});

describe('the event schemas', () => {
  it('take the smallest event and refuse one without a payload, with a bad type or unknown fields', () => {
    expect(eventBody.safeParse({ type: 'a', payload: null }).success).toBe(true);
    expect(eventBody.safeParse({ type: 'a' }).success).toBe(false);
    expect(eventBody.safeParse({ type: '', payload: 1 }).success).toBe(false);
    expect(eventBody.safeParse({ type: 'a b', payload: 1 }).success).toBe(false);
    expect(eventBody.safeParse({ type: 'a', payload: 1, extra: 1 }).success).toBe(false);
    expect(eventBody.safeParse({ type: 'a', payload: 1, timestamp: '2026-01-01T00:00:00' }).success).toBe(
      false,
    );
    expect(eventBody.safeParse({ type: 'a', payload: 1, id: 'x'.repeat(129) }).success).toBe(false);
  });

  it('take batches of 1 to 500 events', () => {
    const of = (n: number) => ({ events: Array.from({ length: n }, () => ({ type: 't', payload: 1 })) });
    expect(batchBody.safeParse(of(0)).success).toBe(false);
    expect(batchBody.safeParse(of(1)).success).toBe(true);
    expect(batchBody.safeParse(of(MAX_EVENTS_PER_BATCH)).success).toBe(true);
    expect(batchBody.safeParse(of(MAX_EVENTS_PER_BATCH + 1)).success).toBe(false);
  });
});
