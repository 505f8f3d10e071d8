import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { describeRedisError } from '../cache/redis';
import { HttpError, serviceUnavailable } from '../errors';
import { encodeEvent, type StreamEvent } from './entry';
import { createIngestMetrics } from './metrics';
import { ensureGroup, readGroupState, type StreamNames } from './stream';

export interface EventQueueOptions extends StreamNames {
  /** INGEST_BACKLOG_LIMIT: at or past this many undelivered entries, appends are refused with a 503. */
  backlogLimit: number;
  /** How long a backlog reading is reused, so a busy replica asks Redis about it a few times a second at most. */
  backlogTtlMs?: number;
  registry: Registry;
}

/**
 * The API's side of the ingest stream. `append` checks the backlog (XINFO GROUPS, read at most every
 * `backlogTtlMs`, shared by concurrent requests), then adds the events in one MULTI/EXEC, so a batch is queued
 * whole or not at all, and returns their stream entry ids. Errors: 503 INGEST_BACKLOG_FULL with Retry-After when
 * the backlog is at or past the limit, 503 INGEST_UNAVAILABLE when Redis fails (the replica's Redis connection
 * fails fast while disconnected and times out after REDIS_COMMAND_TIMEOUT_MS, so this never hangs). Nothing is
 * ever trimmed from the stream here.
 */
export function createEventQueue(redis: Redis, o: EventQueueOptions) {
  const names: StreamNames = { stream: o.stream, group: o.group };
  const ttlMs = o.backlogTtlMs ?? 100;
  let backlog: number | undefined;
  let readAt = 0;
  let reading: Promise<number> | undefined;
  let groupMade = false;
  const metrics = createIngestMetrics(o.registry, () => backlog);

  const unavailable = (err: unknown) =>
    serviceUnavailable(
      'INGEST_UNAVAILABLE',
      `the event queue cannot take events (${describeRedisError(err)}), so none was accepted; retry shortly`,
    );

  function currentBacklog(): Promise<number> {
    if (backlog !== undefined && performance.now() - readAt < ttlMs) return Promise.resolve(backlog);
    reading ??= readGroupState(redis, names)
      .then((state) => {
        backlog = state.backlog;
        readAt = performance.now();
        return state.backlog;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  return {
    metrics,
    /** The last backlog read (undefined before the first append or scrape). */
    backlog: () => backlog,
    async append(events: readonly StreamEvent[]): Promise<string[]> {
      let ids: string[];
      try {
        if (!groupMade) {
          await ensureGroup(redis, names);
          groupMade = true;
        }
        const waiting = await currentBacklog();
        if (waiting >= o.backlogLimit) {
          metrics.rejected('backlog_full', events.length);
          throw new HttpError(
            503,
            'INGEST_BACKLOG_FULL',
            `the workers are ${waiting} events behind (INGEST_BACKLOG_LIMIT ${o.backlogLimit}), so none was accepted; retry later`,
            { backlog: waiting, limit: o.backlogLimit },
            1,
          );
        }
        const multi = redis.multi();
        for (const e of events) multi.xadd(o.stream, '*', ...encodeEvent(e));
        const replies = await multi.exec();
        if (!replies) throw new Error('the transaction was discarded');
        ids = replies.map(([err, id]) => {
          if (err) throw err;
          return String(id);
        });
      } catch (err) {
        if (err instanceof HttpError) throw err;
        // The group may have been removed with the stream (a flush): make it again next time.
        groupMade = false;
        metrics.rejected('redis_unavailable', events.length);
        throw unavailable(err);
      }
      if (backlog !== undefined) backlog += events.length;
      metrics.accepted(events.length);
      return ids;
    },
  };
}

export type EventQueue = ReturnType<typeof createEventQueue>;
