import type { UserRow } from '../db/schema';

export interface PublicUser {
  id: number;
  email: string;
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toPublic(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Versions are Postgres `integer`s: a larger one cannot exist, and is refused as malformed rather than sent. */
export const MAX_VERSION = 2_147_483_647;

/** A user's ETag names its version: `"v3"`. Every write bumps the version, so the ETag changes with the content. */
export const etagOf = (version: number) => `"v${version}"`;

/**
 * Reads the version a client expects from an `If-Match` header: `"v3"` (or weak `W/"v3"`) gives 3, `*` gives
 * 'any', a missing header gives undefined, and anything else gives null (malformed). A list of tags is not
 * accepted, since a user has exactly one current version.
 */
export function parseIfMatch(header: string | undefined): number | 'any' | null | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return 'any';
  const match = /^(?:W\/)?"v([1-9][0-9]{0,9})"$/.exec(value);
  if (!match) return null;
  const version = Number(match[1]);
  return version <= MAX_VERSION ? version : null;
}

/** True when an `If-None-Match` header lists the given ETag (or is `*`), so a GET may answer 304. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
