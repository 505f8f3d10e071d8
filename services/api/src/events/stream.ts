import type { Redis } from 'ioredis';

/** The stream's settings, the same names in the API and the workers (INGEST_STREAM, INGEST_GROUP). */
export interface StreamNames {
  stream: string;
  group: string;
}

/**
 * Creates the consumer group (and the stream, MKSTREAM) unless it exists. Whoever comes first creates it, the API
 * or a worker, at id 0, so entries appended before the group existed are delivered too.
 */
export async function ensureGroup(redis: Redis, { stream, group }: StreamNames): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
  }
}

export interface GroupState {
  /** Entries not yet delivered to any consumer of the group. */
  backlog: number;
  /** Entries delivered and not yet acknowledged. */
  pending: number;
  /** The id of the last entry delivered to the group. */
  lastDeliveredId: string;
  /** The stream's length (workers delete acknowledged entries, so this is about backlog + pending). */
  length: number;
}

/**
 * The group's backlog and pending count from `XINFO GROUPS` (one round trip, plus XLEN). The backlog is Redis 7's
 * `lag`; where Redis cannot tell it (null after some deletions) it is the stream's length less the pending
 * entries, which holds because workers delete each entry once it is acknowledged. A missing stream or group reads
 * as all zeros.
 */
export async function readGroupState(redis: Redis, { stream, group }: StreamNames): Promise<GroupState> {
  let groups: unknown[];
  let length: number;
  try {
    [groups, length] = await Promise.all([
      redis.xinfo('GROUPS', stream) as Promise<unknown[]>,
      redis.xlen(stream),
    ]);
  } catch (err) {
    if (err instanceof Error && err.message.includes('no such key')) {
      return { backlog: 0, pending: 0, lastDeliveredId: '0-0', length: 0 };
    }
    throw err;
  }
  for (const raw of groups) {
    const info = fieldMap(raw as unknown[]);
    if (info.get('name') !== group) continue;
    const pending = Number(info.get('pending') ?? 0);
    const lag = info.get('lag');
    const backlog = lag === null || lag === undefined ? Math.max(0, length - pending) : Number(lag);
    return { backlog, pending, lastDeliveredId: String(info.get('last-delivered-id') ?? '0-0'), length };
  }
  // No group yet: nothing has been delivered, so everything in the stream waits.
  return { backlog: length, pending: 0, lastDeliveredId: '0-0', length };
}

function fieldMap(flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}
