import { Redis } from 'ioredis';
import type { Endpoint } from './topology';

/** The ingest stream and its consumer group, as the API and the workers name them by default. */
export const INGEST_STREAM = process.env.INGEST_STREAM || 'events';
export const INGEST_GROUP = process.env.INGEST_GROUP || 'ingest';

export interface Backlog {
  /** Entries not yet delivered to any worker. */
  backlog: number;
  /** Delivered to a worker, not yet acknowledged. */
  pending: number;
  /** The stream's length (workers delete what they acknowledged). */
  length: number;
}

/**
 * The group's state from one `XINFO GROUPS` and an `XLEN`, read straight from Redis (so it is known with WORKERS=0
 * too). Redis 7's `lag` is the backlog; where it is null (after deletions) it is the length less the pending. No
 * stream yet: all zeros; no group yet: the whole stream waits. Pure over the raw replies: `backlogFrom`.
 */
export function backlogFrom(groups: unknown[], length: number, group = INGEST_GROUP): Backlog {
  for (const raw of groups) {
    const flat = raw as unknown[];
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
    if (info.get('name') !== group) continue;
    const pending = Number(info.get('pending') ?? 0);
    const lag = info.get('lag');
    const backlog = lag === null || lag === undefined ? Math.max(0, length - pending) : Number(lag);
    return { backlog, pending, length };
  }
  return { backlog: length, pending: 0, length };
}

/** Reads the backlog from the Redis at `e`; rejects within `timeoutMs` when Redis does not answer. */
export async function readBacklog(e: Endpoint, timeoutMs = 2000): Promise<Backlog> {
  const redis = new Redis({
    host: e.host,
    port: e.port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // Reported by the command's rejection.
  try {
    await redis.connect();
    const length = await redis.xlen(INGEST_STREAM);
    if (length === 0 && (await redis.exists(INGEST_STREAM)) === 0)
      return { backlog: 0, pending: 0, length: 0 };
    const groups = (await redis.xinfo('GROUPS', INGEST_STREAM)) as unknown[];
    return backlogFrom(groups, length);
  } finally {
    redis.disconnect();
  }
}
