import type { CacheRead, UserCache } from '../cache/user-cache';
import { databaseUnavailable, type Pool } from '../db/pool';
import type { UserRow } from '../db/schema';
import { inTransaction } from '../db/transaction';
import { conflict, type HttpError, notFound, requestExpired } from '../errors';
import type { Metrics } from '../observability/metrics';
import { type PublicUser, toPublic } from './model';
import type { UserQueries } from './queries';

export type CacheHeader = 'HIT' | 'MISS' | 'BYPASS';

type MissSeen = Extract<CacheRead, { kind: 'miss' }>;

/** A read: the user's JSON text (served as is, so a cache hit is never parsed) or null when there is none. */
export interface UserRead {
  json: string | null;
  version: number;
  cache: CacheHeader;
}

export interface UserPatch {
  email?: string | undefined;
  name?: string | undefined;
}

/** 'any' writes whatever the current version is (`If-Match: *`). */
export type ExpectedVersion = number | 'any';

/** Thrown when a write's expected version is no longer current; the route picks 412 or 409. */
export class VersionConflict extends Error {
  constructor(readonly current: number) {
    super(`the user is at version ${current}`);
    this.name = 'VersionConflict';
  }
}

const UNIQUE_VIOLATION = '23505';

/** Runs a query, counting it and turning database outages into 503s and a duplicate email into 409. */
async function run<T>(metrics: Metrics, name: string, query: () => Promise<T>): Promise<T> {
  metrics.query(name);
  try {
    return await query();
  } catch (thrown) {
    // drizzle wraps driver errors; the SQLSTATE is on the driver's error.
    const err = thrown instanceof Error && thrown.cause instanceof Error ? thrown.cause : thrown;
    const unavailable = databaseUnavailable(err);
    if (unavailable) throw unavailable;
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      const detail = /\)=\((.*)\) already exists/.exec((err as { detail?: string }).detail ?? '');
      throw conflict(
        'EMAIL_TAKEN',
        detail ? `a user with email ${detail[1]} already exists` : 'a user with this email already exists',
        detail ? { email: detail[1] } : undefined,
      );
    }
    throw err;
  }
}

/**
 * Users with cache-aside reads. A miss loads from Postgres and fills Redis; concurrent misses for one id on this
 * replica share one query. Writes lock the cache entry before they commit and store the new version after
 * (user-cache.ts), so once a write has returned no replica reads an older user. Creating a user does not cache it:
 * the first read does.
 */
export function createUserStore(
  q: UserQueries,
  cache: UserCache,
  metrics: Metrics,
  pool: Pool,
  /** How long a write's transaction may sit idle waiting for the cache's lock: Redis's timeout plus a margin. */
  writeIdleMs: number,
) {
  // In-flight loads by id, with when each query was sent. A read may share a query only if it arrived before the
  // query was sent: the query's snapshot then comes after the read began, so it sees every write that had returned.
  const loading = new Map<number, { sentAt: number; user: Promise<PublicUser | null> }>();

  /** Loads a user for a read that arrived at `arrivedAt`; the read that sends the query also fills the cache. */
  function load(id: number, arrivedAt: number, seen: MissSeen | null): Promise<PublicUser | null> {
    const inFlight = loading.get(id);
    if (inFlight && inFlight.sentAt >= arrivedAt) return inFlight.user;
    const sentAt = performance.now();
    const user = run(metrics, 'users_by_id', () => q.byId.execute({ id })).then(async (rows) => {
      const found = rows[0] ? toPublic(rows[0]) : null;
      if (found && seen) await cache.fill([found], seen);
      return found;
    });
    const entry = { sentAt, user };
    loading.set(id, entry);
    const forget = () => {
      if (loading.get(id) === entry) loading.delete(id);
    };
    user.then(forget, forget);
    return user;
  }

  const read = (user: PublicUser | null, cacheHeader: CacheHeader): UserRead =>
    user
      ? { json: JSON.stringify(user), version: user.version, cache: cacheHeader }
      : { json: null, version: 0, cache: cacheHeader };

  return {
    async get(id: number): Promise<UserRead> {
      const arrivedAt = performance.now();
      const cached = await cache.get(id);
      switch (cached.kind) {
        case 'hit':
          metrics.cache('hit');
          return { json: cached.json, version: cached.version, cache: 'HIT' };
        case 'deleted':
          metrics.cache('hit');
          return { json: null, version: 0, cache: 'HIT' };
        case 'bypass':
          metrics.cache('bypass');
          return read(await load(id, arrivedAt, null), 'BYPASS');
        case 'miss': {
          metrics.cache('miss');
          return read(await load(id, arrivedAt, cached), 'MISS');
        }
      }
    },

    /** Reads many ids through the cache: one MGET, then one query for the misses. Order follows `ids`. */
    async lookup(
      ids: number[],
    ): Promise<{ items: PublicUser[]; missing: number[]; hits: number; misses: number }> {
      const unique = [...new Set(ids)];
      const cached = await cache.getMany(unique);
      const found = new Map<number, PublicUser>();
      const toLoad: number[] = [];
      let hits = 0;
      unique.forEach((id, i) => {
        const entry = cached?.[i];
        if (entry?.kind === 'hit') {
          found.set(id, JSON.parse(entry.json) as PublicUser);
          hits++;
        } else if (entry?.kind === 'deleted') {
          hits++;
        } else {
          toLoad.push(id);
        }
      });
      if (hits > 0) metrics.cache('hit', hits);
      if (toLoad.length > 0) {
        metrics.cache(cached ? 'miss' : 'bypass', toLoad.length);
        const rows = await run(metrics, 'users_by_ids', () => q.byIds.execute({ ids: toLoad }));
        const loaded = rows.map(toPublic);
        for (const u of loaded) found.set(u.id, u);
        const seen = cached?.find((c) => c.kind === 'miss');
        if (seen?.kind === 'miss') await cache.fill(loaded, seen);
      }
      const items: PublicUser[] = [];
      const missing: number[] = [];
      for (const id of unique) {
        const u = found.get(id);
        if (u) items.push(u);
        else missing.push(id);
      }
      return { items, missing, hits, misses: toLoad.length };
    },

    async list(after: number, limit: number): Promise<{ items: PublicUser[]; last: number | null }> {
      // One extra row says whether there is a next page without a count.
      const rows = await run(metrics, 'users_page', () => q.page.execute({ after, limit: limit + 1 }));
      const items = rows.slice(0, limit).map(toPublic);
      return { items, last: rows.length > limit ? items[items.length - 1]!.id : null };
    },

    async create(email: string, name: string): Promise<PublicUser> {
      // Not cached here: cache-aside fills on the first read, so the cache holds what is read, not all that is written.
      const [row] = await run(metrics, 'users_insert', () => q.insert.execute({ email, name }));
      return toPublic(row!);
    },

    async createMany(input: { email: string; name: string }[]): Promise<PublicUser[]> {
      const rows: UserRow[] = await run(metrics, 'users_insert_many', () =>
        q.insertMany.execute({ emails: input.map((u) => u.email), names: input.map((u) => u.name) }),
      );
      return rows.map(toPublic).sort((a, b) => a.id - b.id);
    },

    /**
     * A conditional write: the row is updated and the cache entry locked at the new version in one transaction
     * that commits only once the lock is in Redis (else 503 CACHE_UNAVAILABLE, nothing written); the new version
     * is stored after the commit. Postgres refuses the write past `deadlineMs` (503 REQUEST_EXPIRED).
     */
    async update(
      id: number,
      patch: UserPatch,
      expected: ExpectedVersion,
      deadlineMs: number,
    ): Promise<PublicUser> {
      const values = { id, expected: expected === 'any' ? null : expected, deadlineMs };
      const done = await run(metrics, 'users_update', () =>
        inTransaction(pool, writeIdleMs, async (client) => {
          const row = await q.update(client, {
            ...values,
            email: patch.email ?? null,
            name: patch.name ?? null,
          });
          if (!row) return undefined;
          const user = toPublic(row);
          return { user, lock: await cache.lock(id, user.version) };
        }),
      );
      if (!done) throw await missingOrStale(id, expected, deadlineMs);
      await cache.written(done.user, done.lock);
      return done.user;
    },

    /** A conditional delete, under the same protocol as `update`; a tombstone replaces the lock after the commit. */
    async remove(id: number, expected: ExpectedVersion, deadlineMs: number): Promise<void> {
      const values = { id, expected: expected === 'any' ? null : expected, deadlineMs };
      const lock = await run(metrics, 'users_delete', () =>
        inTransaction(pool, writeIdleMs, async (client) => {
          const row = await q.remove(client, values);
          // Locked one above the deleted version: no read of the user as it was may fill the cache.
          return row ? await cache.lock(id, row.version + 1) : undefined;
        }),
      );
      if (!lock) throw await missingOrStale(id, expected, deadlineMs);
      await cache.deleted(id, lock);
    },

    async count(): Promise<number> {
      const [row] = await run(metrics, 'users_count', () => q.count.execute());
      return row?.n ?? 0;
    },
  };

  // A conditional write matched no row: the user is gone, its version moved on, or the request's deadline passed.
  async function missingOrStale(
    id: number,
    expected: ExpectedVersion,
    deadlineMs: number,
  ): Promise<HttpError | VersionConflict> {
    const [row] = await run(metrics, 'users_by_id', () => q.byId.execute({ id }));
    if (!row) return notFound(`no user with id ${id}`);
    if (expected === 'any' || row.version === expected || Date.now() >= deadlineMs) return requestExpired();
    return new VersionConflict(row.version);
  }
}

export type UserStore = ReturnType<typeof createUserStore>;
