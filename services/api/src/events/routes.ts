import type { Context } from 'hono';
import { Hono } from 'hono';
import type { z } from 'zod';
import { HttpError } from '../errors';
import { readJson } from '../http/read-json';
import type { StreamEvent } from './entry';
import { prepareEvents } from './prepare';
import type { EventQueue } from './queue';
import { batchBody, type EventBody, eventBody } from './schemas';

export interface EventRoutesOptions {
  queue: EventQueue;
  /** EVENT_PAYLOAD_MAX_BYTES */
  maxPayloadBytes: number;
}

/**
 * The ingest endpoints: events are validated, queued on the Redis stream and answered 202 with their ids; the
 * workers write them to Postgres later (services/worker). Nothing touches Postgres here.
 * `POST /` takes one event → `{ id, streamId }`; `POST /batch` takes `{ events: [...] }` (1-500) → `{ ids, count }`.
 */
export function eventRoutes({ queue, maxPayloadBytes }: EventRoutesOptions) {
  const app = new Hono();

  /** Reads and prepares the events, counting a refusal in ingest_rejected_total before it is thrown. */
  async function accept<T>(
    c: Context,
    schema: z.ZodType<T>,
    events: (body: T) => readonly EventBody[],
    pathPrefix: string,
  ): Promise<StreamEvent[]> {
    try {
      return prepareEvents(events(await readJson(c, schema)), maxPayloadBytes, pathPrefix);
    } catch (err) {
      if (err instanceof HttpError) {
        queue.metrics.rejected(err.status === 413 ? 'payload_too_large' : 'validation', 1);
      }
      throw err;
    }
  }

  app.post('/', async (c) => {
    const events = await accept(c, eventBody, (body) => [body], '');
    const [streamId] = await queue.append(events);
    return c.json({ id: events[0]?.id, streamId }, 202);
  });

  app.post('/batch', async (c) => {
    const events = await accept(c, batchBody, (body) => body.events, 'events.#.');
    await queue.append(events);
    return c.json({ ids: events.map((e) => e.id), count: events.length }, 202);
  });

  return app;
}
