import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { serviceUnavailable } from '../errors';
import type { Logger } from '../observability/logger';
import type { PublicUser } from '../users/model';
import { describeRedisError, redisErrorKind } from './redis';
import { EPOCH_KEY, FILL, LOCK, LOCK_FOR_WRITE, SETTLE, STORE_WRITTEN, TOMBSTONE } from './scripts';

/**
 * What a cache lookup found: the user's JSON, a recent deletion, nothing (with the epoch the reader saw, which a
 * fill must present), or no answer from Redis at all.
 */
export type CacheRead =
  | { kind: 'hit'; version: number; json: string }
  | { kind: 'deleted' }
  | { kind: 'miss'; epoch: string; at: number }
  | { kind: 'bypass' };

/** What a write's lock returned: the incarnation and Redis's time, both presented again by the store. */
export interface WriteLock {
  epoch: string;
  at: string;
}

const KEY_PREFIX = 'user:';
const PROBE_KEY = 'cache:probe';

type Script = (...args: (string | number)[]) => Promise<unknown>;
type Scripts = {
  lockUserForWrite: Script;
  storeWrittenUser: Script;
  fillUser: Script;
  settleCache: Script;
};

function decode(value: string | null, epoch: string, at: number): CacheRead {
  if (value === null || value.startsWith(LOCK)) return { kind: 'miss', epoch, at };
  if (value === TOMBSTONE) return { kind: 'deleted' };
  const bar = value.indexOf('|');
  return { kind: 'hit', version: Number(value.slice(0, bar)), json: value.slice(bar + 1) };
}

/** The Redis calls the cache makes, as the replica's metrics label them. */
export type CacheCommand =
  | 'mget'
  | 'fill_user'
  | 'fill_users_pipeline'
  | 'lock_user_for_write'
  | 'store_written_user'
  | 'settle_cache';

/** Told how long each Redis call took, or why it failed (the replica's redis_client_command_* metrics). */
export interface RedisTiming {
  ok(command: CacheCommand, seconds: number): void;
  failed(command: CacheCommand, reason: string): void;
}

const UNTIMED: RedisTiming = { ok() {}, failed() {} };

export interface UserCacheOptions {
  ttlS: number;
  /** How long a new Redis incarnation takes no fills (CACHE_SETTLE_MS). */
  settleMs: number;
  log: Logger;
  timing?: RedisTiming;
}

/**
 * The cache-aside store for users, and the one place that knows the protocol that keeps it from ever serving a
 * user older than a write that returned (services/api/README.md, "Why no read is stale"):
 *
 * - a write locks the user's entry at its new version *before* its transaction commits (`lock`, which throws a
 *   503 when Redis cannot take it, so the write rolls back), and stores the new version after (`written`,
 *   best effort: the lock keeps readers on Postgres until a newer version replaces it);
 * - a read that missed may fill the cache only with a version not older than what the entry holds, and only if
 *   the Redis it read from is the same, settled incarnation (`fill`);
 * - reads never throw: a Redis failure reads as `bypass` and goes to Postgres.
 */
export function createUserCache(redis: Redis, { ttlS, settleMs, log, timing = UNTIMED }: UserCacheOptions) {
  redis.defineCommand('lockUserForWrite', { numberOfKeys: 2, lua: LOCK_FOR_WRITE });
  redis.defineCommand('storeWrittenUser', { numberOfKeys: 2, lua: STORE_WRITTEN });
  redis.defineCommand('fillUser', { numberOfKeys: 2, lua: FILL });
  redis.defineCommand('settleCache', { numberOfKeys: 2, lua: SETTLE });
  const scripts = redis as unknown as Scripts;
  const key = (id: number) => KEY_PREFIX + id;
  // Names this replica in an epoch it creates, so two replicas creating one in the same microsecond differ.
  const salt = randomBytes(6).toString('hex');
  const entry = (u: PublicUser) => `${u.version}|${JSON.stringify(u)}`;

  /**
   * One Redis call, timed for the metrics. It only observes: the call's value or error passes through untouched,
   * so the protocol below reads exactly as without it.
   */
  async function timed<T>(command: CacheCommand, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const value = await call();
      timing.ok(command, (performance.now() - started) / 1000);
      return value;
    } catch (err) {
      timing.failed(command, redisErrorKind(err));
      throw err;
    }
  }

  let settled = false;
  let settling: NodeJS.Timeout | undefined;
  let settlePending = false;
  async function settle(): Promise<string> {
    const epoch = String(
      await timed('settle_cache', () => scripts.settleCache(EPOCH_KEY, PROBE_KEY, settleMs, salt)),
    );
    settled = epoch.endsWith('+');
    return epoch;
  }
  // A new incarnation (first start, or a Redis that came back empty) settles by the clock even with no reads.
  function settleSoon() {
    clearTimeout(settling);
    settlePending = true;
    settling = setTimeout(
      () => {
        settlePending = false;
        settle().then(
          (epoch) => {
            if (epoch.endsWith('+')) log.info('cache settled: reads fill it again', { epoch });
            else settleSoon();
          },
          () => settleSoon(),
        );
      },
      Math.min(500, settleMs),
    );
    settling.unref();
  }
  redis.on('ready', () => {
    settled = false;
    settleSoon();
  });

  async function store(id: number, version: number, value: string, lock: WriteLock) {
    try {
      await timed('store_written_user', () =>
        scripts.storeWrittenUser(key(id), EPOCH_KEY, version, value, ttlS, lock.epoch, lock.at),
      );
    } catch (err) {
      // The lock stays: readers load from Postgres until a read of the new version replaces it.
      log.warn('cache store after a write failed; the lock keeps reads on postgres', {
        id,
        err: describeRedisError(err),
      });
    }
  }

  return {
    async get(id: number): Promise<CacheRead> {
      const at = Date.now();
      try {
        const [value, epoch] = await timed('mget', () => redis.mget(key(id), EPOCH_KEY));
        return decode(value ?? null, epoch ?? '', at);
      } catch {
        return { kind: 'bypass' };
      }
    },

    /** One MGET for many ids; null when Redis did not answer. */
    async getMany(ids: number[]): Promise<CacheRead[] | null> {
      const at = Date.now();
      try {
        const values = await timed('mget', () => redis.mget(...ids.map(key), EPOCH_KEY));
        const epoch = values.pop() ?? '';
        return values.map((v) => decode(v, epoch, at));
      } catch {
        return null;
      }
    },

    /**
     * Fills the cache after a miss with what Postgres gave, presenting the epoch and time of the read that missed.
     * Best effort: a refused or failed fill only costs a future hit.
     */
    async fill(users: PublicUser[], seen: { epoch: string; at: number }): Promise<void> {
      if (users.length === 0) return;
      if (!seen.epoch.endsWith('+')) {
        // A new incarnation (or one whose epoch vanished): no fill until it settles, which the timer sees to.
        if (!settlePending) settleSoon();
        return;
      }
      const args = (u: PublicUser) =>
        [key(u.id), EPOCH_KEY, u.version, entry(u), ttlS, seen.epoch, settleMs, salt, seen.at] as const;
      try {
        if (users.length === 1) {
          await timed('fill_user', () => scripts.fillUser(...args(users[0]!)));
          return;
        }
        const batch = redis.pipeline() as unknown as Scripts & {
          exec(): Promise<[Error | null, unknown][] | null>;
        };
        for (const u of users) void batch.fillUser(...args(u));
        const results = await timed('fill_users_pipeline', () => batch.exec());
        // A pipeline answers each command on its own: a refused fill is an error in its slot, not a rejection.
        for (const [err] of results ?? []) if (err) timing.failed('fill_users_pipeline', redisErrorKind(err));
      } catch (err) {
        log.debug('cache fill failed', { err: describeRedisError(err) });
      }
    },

    /**
     * Before a write commits: lock the entry at the version being written. Throws a 503 CACHE_UNAVAILABLE when
     * Redis cannot take it (away, frozen, full, read-only), so the caller rolls back and nothing is written.
     */
    async lock(id: number, version: number): Promise<WriteLock> {
      try {
        const reply = String(
          await timed('lock_user_for_write', () =>
            scripts.lockUserForWrite(key(id), EPOCH_KEY, version, ttlS, salt),
          ),
        );
        const space = reply.lastIndexOf(' ');
        return { epoch: reply.slice(0, space), at: reply.slice(space + 1) };
      } catch (err) {
        throw serviceUnavailable(
          'CACHE_UNAVAILABLE',
          `the cache cannot record this write (${describeRedisError(err)}), so it was not made; retry shortly`,
        );
      }
    },

    /** After a write committed: store the new version. */
    written: (user: PublicUser, lock: WriteLock) => store(user.id, user.version, entry(user), lock),
    /** After a delete committed: leave a tombstone so no slow reader can cache the user again. */
    deleted: (id: number, lock: WriteLock) => store(id, 0, TOMBSTONE, lock),

    /** Creates or settles the epoch and proves Redis takes writes; throws when it does not. */
    settle,
    /** True once this replica has seen a settled epoch (reads may fill the cache). */
    settled: () => settled,

    close() {
      clearTimeout(settling);
    },
  };
}

export type UserCache = ReturnType<typeof createUserCache>;
