import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger';
import type { PublicUser } from '../users/model';

/** What a cache lookup found: the user's JSON, a recent deletion, nothing, or no answer from Redis at all. */
export type CacheRead =
  | { kind: 'hit'; version: number; json: string }
  | { kind: 'deleted' }
  | { kind: 'miss' }
  | { kind: 'bypass' };

const TOMBSTONE = 'D';
const KEY_PREFIX = 'user:';

/*
 * Entries are "<version>|<user JSON>". This script writes an entry only when the cache holds nothing newer, so a
 * reader that loaded version 1 just before a writer stored version 2 can never put version 1 back. A tombstone
 * left by DELETE beats every version, so a slow reader cannot resurrect a deleted user either.
 */
const PUT_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  if cur == '${TOMBSTONE}' then return 0 end
  local bar = string.find(cur, '|', 1, true)
  if bar and tonumber(string.sub(cur, 1, bar - 1)) >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;

type PutIfNewer = (key: string, version: number, value: string, ttlS: number) => Promise<number>;

function decode(value: string | null): CacheRead {
  if (value === null) return { kind: 'miss' };
  if (value === TOMBSTONE) return { kind: 'deleted' };
  const bar = value.indexOf('|');
  return { kind: 'hit', version: Number(value.slice(0, bar)), json: value.slice(bar + 1) };
}

/**
 * The cache-aside store for users. Reads never throw: a Redis failure reads as `bypass`. Writes from the write
 * path that fail are remembered and replayed when Redis is back; until then reads of those ids bypass the cache,
 * so a value cached before the outage is never served after a newer write returned.
 */
export function createUserCache(redis: Redis, ttlS: number, log: Logger) {
  redis.defineCommand('putUserIfNewer', { numberOfKeys: 1, lua: PUT_IF_NEWER });
  const putIfNewer = (redis as unknown as { putUserIfNewer: PutIfNewer }).putUserIfNewer.bind(redis);
  const key = (id: number) => KEY_PREFIX + id;

  // id → the write that Redis missed: the user to store, or null for a deletion.
  const pending = new Map<number, PublicUser | null>();
  let replaying = false;

  const store = (user: PublicUser) =>
    putIfNewer(key(user.id), user.version, `${user.version}|${JSON.stringify(user)}`, ttlS);
  const bury = (id: number) => redis.set(key(id), TOMBSTONE, 'EX', ttlS);

  async function replay() {
    if (replaying || pending.size === 0) return;
    replaying = true;
    try {
      for (const [id, user] of [...pending]) {
        await (user ? store(user) : bury(id));
        if (pending.get(id) === user) pending.delete(id);
      }
      log.info('replayed cache writes missed while redis was away');
    } catch {
      // Still away: the next 'ready' or the timer tries again.
    } finally {
      replaying = false;
    }
  }
  redis.on('ready', () => void replay());
  const retry = setInterval(() => void replay(), 1000);
  retry.unref();

  async function writeThrough(id: number, user: PublicUser | null) {
    try {
      await (user ? store(user) : bury(id));
      pending.delete(id);
    } catch {
      pending.set(id, user);
    }
  }

  return {
    async get(id: number): Promise<CacheRead> {
      if (pending.has(id)) return { kind: 'bypass' };
      try {
        return decode(await redis.get(key(id)));
      } catch {
        return { kind: 'bypass' };
      }
    },

    /** One MGET for many ids; null when Redis did not answer. */
    async getMany(ids: number[]): Promise<CacheRead[] | null> {
      try {
        const values = await redis.mget(ids.map(key));
        return values.map((v, i) => (pending.has(ids[i]!) ? { kind: 'bypass' } : decode(v)));
      } catch {
        return null;
      }
    },

    /** Fills the cache after a miss. Best effort: a failure only costs a future hit. */
    async fill(users: PublicUser[]): Promise<void> {
      if (users.length === 0) return;
      try {
        if (users.length === 1) {
          await store(users[0]!);
          return;
        }
        const batch = redis.pipeline();
        for (const u of users) {
          (batch as unknown as { putUserIfNewer: (...a: unknown[]) => void }).putUserIfNewer(
            key(u.id),
            u.version,
            `${u.version}|${JSON.stringify(u)}`,
            ttlS,
          );
        }
        await batch.exec();
      } catch (err) {
        // Redis away: the next read is a bypass or a miss, both correct.
        log.debug('cache fill failed', { err: (err as Error).message });
      }
    },

    /** After a write returned from Postgres: store the new version. */
    written: (user: PublicUser) => writeThrough(user.id, user),
    /** After a delete: leave a tombstone so no slow reader can cache the user again. */
    deleted: (id: number) => writeThrough(id, null),

    async ping(): Promise<void> {
      await redis.ping();
    },

    pendingWrites: () => pending.size,
    close() {
      clearInterval(retry);
    },
  };
}

export type UserCache = ReturnType<typeof createUserCache>;
