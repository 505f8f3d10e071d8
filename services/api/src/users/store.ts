import type { UserCache } from '../cache/user-cache';
import { databaseUnavailable } from '../db/pool';
import type { UserRow } from '../db/schema';
import { conflict, type HttpError, notFound } from '../errors';
import type { Metrics } from '../observability/metrics';
import { type PublicUser, toPublic } from './model';
import type { UserQueries } from './queries';

export type CacheHeader = 'HIT' | 'MISS' | 'BYPASS';

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
 * replica share one query. Every update stores the new version in Redis (and a delete a tombstone) before it
 * returns, so no replica reads a stale user afterwards. Creating a user does not cache it: the first read does.
 */
export function createUserStore(q: UserQueries, cache: UserCache, metrics: Metrics) {
  const loading = new Map<number, Promise<PublicUser | null>>();

  function load(id: number): Promise<PublicUser | null> {
    let pending = loading.get(id);
    if (!pending) {
      pending = run(metrics, 'users_by_id', () => q.byId.execute({ id }))
        .then((rows) => (rows[0] ? toPublic(rows[0]) : null))
        .finally(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  }

  const read = (user: PublicUser | null, cacheHeader: CacheHeader): UserRead =>
    user
      ? { json: JSON.stringify(user), version: user.version, cache: cacheHeader }
      : { json: null, version: 0, cache: cacheHeader };

  return {
    async get(id: number): Promise<UserRead> {
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
          return read(await load(id), 'BYPASS');
        case 'miss': {
          metrics.cache('miss');
          const user = await load(id);
          if (user) await cache.fill([user]);
          return read(user, 'MISS');
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
        if (cached) await cache.fill(loaded);
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

    async update(id: number, patch: UserPatch, expected: ExpectedVersion): Promise<PublicUser> {
      const [row] = await run(metrics, 'users_update', () =>
        q.update.execute({
          id,
          email: patch.email ?? null,
          name: patch.name ?? null,
          expected: expected === 'any' ? null : expected,
        }),
      );
      if (!row) throw await missingOrStale(id);
      const user = toPublic(row);
      await cache.written(user);
      return user;
    },

    async remove(id: number, expected: ExpectedVersion): Promise<void> {
      const [row] = await run(metrics, 'users_delete', () =>
        q.remove.execute({ id, expected: expected === 'any' ? null : expected }),
      );
      if (!row) throw await missingOrStale(id);
      await cache.deleted(id);
    },

    async count(): Promise<number> {
      const [row] = await run(metrics, 'users_count', () => q.count.execute());
      return row?.n ?? 0;
    },
  };

  // A conditional write matched no row: either the user is gone or its version moved on.
  async function missingOrStale(id: number): Promise<HttpError | VersionConflict> {
    const [row] = await run(metrics, 'users_by_id', () => q.byId.execute({ id }));
    return row ? new VersionConflict(row.version) : notFound(`no user with id ${id}`);
  }
}

export type UserStore = ReturnType<typeof createUserStore>;
