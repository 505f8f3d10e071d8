import type { Context } from 'hono';
import { Hono } from 'hono';
import { badRequest, HttpError, notFound } from '../errors';
import type { DeadlineVariables } from '../http/deadline';
import { fieldErrors, readJson } from '../http/read-json';
import { setResponseHeader } from '../http/response-header';
import { decodeCursor, encodeCursor } from './cursor';
import { etagOf, ifNoneMatchHits, MAX_VERSION, type PublicUser, parseIfMatch } from './model';
import {
  bulkCreateBody,
  createUserBody,
  listQuery,
  lookupBody,
  patchUserBody,
  replaceUserBody,
} from './schemas';
import { type ExpectedVersion, type UserPatch, type UserStore, VersionConflict } from './store';

const ID = /^[1-9][0-9]{0,15}$/;

type RouteContext = Context<{ Variables: DeadlineVariables }>;

function parseId(c: Context): number {
  const raw = c.req.param('id') ?? '';
  const id = Number(raw);
  if (!ID.test(raw) || !Number.isSafeInteger(id)) {
    throw badRequest('INVALID_ID', `user id must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return id;
}

function ifMatch(c: Context): number | 'any' | undefined {
  const parsed = parseIfMatch(c.req.header('if-match'));
  if (parsed === null) {
    throw badRequest(
      'INVALID_IF_MATCH',
      `If-Match must be an ETag of this API, like "v3" (versions 1 to ${MAX_VERSION}), or *`,
    );
  }
  return parsed;
}

function sendUser(c: Context, user: PublicUser, status: 200 | 201 = 200) {
  c.header('ETag', etagOf(user.version));
  return c.json(user, status);
}

/**
 * The users resource. Writes are conditional: PUT and PATCH need `If-Match` (a stale one gets 412) or a `version`
 * in the body (a stale one gets 409); with neither they get 428, so no client overwrites a change it never saw.
 */
export function userRoutes(store: UserStore) {
  const app = new Hono<{ Variables: DeadlineVariables }>();

  async function write(c: RouteContext, patch: UserPatch & { version?: number | undefined }) {
    const id = parseId(c);
    const header = ifMatch(c);
    if (typeof header === 'number' && patch.version !== undefined && patch.version !== header) {
      throw badRequest(
        'PRECONDITION_MISMATCH',
        `If-Match says version ${header} but the body says ${patch.version}`,
      );
    }
    const expected: ExpectedVersion | undefined = header ?? patch.version;
    if (expected === undefined) {
      throw new HttpError(
        428,
        'PRECONDITION_REQUIRED',
        'send If-Match with the ETag you read, or the version in the body',
      );
    }
    try {
      return sendUser(
        c,
        await store.update(id, { email: patch.email, name: patch.name }, expected, c.get('deadline')),
      );
    } catch (err) {
      if (!(err instanceof VersionConflict)) throw err;
      c.header('ETag', etagOf(err.current));
      const details = { currentVersion: err.current, expectedVersion: expected };
      const message = `user ${id} is at version ${err.current}, not ${expected}; read it again and retry`;
      throw header !== undefined
        ? new HttpError(412, 'PRECONDITION_FAILED', message, details)
        : new HttpError(409, 'VERSION_CONFLICT', message, details);
    }
  }

  app.post('/', async (c) => {
    const body = await readJson(c, createUserBody);
    const user = await store.create(body.email, body.name);
    c.header('Location', `/api/users/${user.id}`);
    return sendUser(c, user, 201);
  });

  app.get('/', async (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success)
      throw badRequest('INVALID_QUERY', 'the query string is invalid', fieldErrors(query.error));
    let after = 0;
    if (query.data.cursor !== undefined) {
      const decoded = decodeCursor(query.data.cursor);
      if (decoded === null)
        throw badRequest('INVALID_CURSOR', 'cursor must be a nextCursor this API returned');
      after = decoded;
    }
    const page = await store.list(after, query.data.limit);
    return c.json({ items: page.items, nextCursor: page.last === null ? null : encodeCursor(page.last) });
  });

  app.post('/bulk', async (c) => {
    const body = await readJson(c, bulkCreateBody);
    const items = await store.createMany(body.users);
    return c.json({ items, count: items.length }, 201);
  });

  app.post('/lookup', async (c) => {
    const body = await readJson(c, lookupBody);
    const result = await store.lookup(body.ids);
    c.header('X-Cache-Hits', String(result.hits));
    c.header('X-Cache-Misses', String(result.misses));
    return c.json({ items: result.items, missing: result.missing });
  });

  // The hottest route: its headers go through setResponseHeader, and the body's one header in a plain record,
  // so a cache hit builds no Headers object (http/response-header.ts).
  app.get('/:id', async (c) => {
    const id = parseId(c);
    const read = await store.get(id);
    setResponseHeader(c, 'X-Cache', read.cache);
    if (read.json === null) throw notFound(`no user with id ${id}`);
    const etag = etagOf(read.version);
    setResponseHeader(c, 'ETag', etag);
    if (ifNoneMatchHits(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    return c.body(read.json, 200, { 'Content-Type': 'application/json' });
  });

  app.put('/:id', async (c) => write(c, await readJson(c, replaceUserBody)));
  app.patch('/:id', async (c) => write(c, await readJson(c, patchUserBody)));

  app.delete('/:id', async (c) => {
    const id = parseId(c);
    const header = ifMatch(c);
    try {
      await store.remove(id, header ?? 'any', c.get('deadline'));
    } catch (err) {
      if (!(err instanceof VersionConflict)) throw err;
      c.header('ETag', etagOf(err.current));
      throw new HttpError(
        412,
        'PRECONDITION_FAILED',
        `user ${id} is at version ${err.current}, not ${header}`,
        {
          currentVersion: err.current,
          expectedVersion: header,
        },
      );
    }
    return c.body(null, 204);
  });

  return app;
}
