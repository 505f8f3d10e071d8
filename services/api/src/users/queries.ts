import { asc, count, eq, gt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { PoolClient } from 'pg';
import type { Pool } from '../db/pool';
import { type UserRow, users } from '../db/schema';

/**
 * Every statement the users API runs, built and named once at start. node-postgres prepares a named statement
 * the first time each connection runs it and reuses the plan after, so handlers only bind values and execute.
 */
export function prepareUserQueries(pool: Pool) {
  const db = drizzle(pool);
  const p = sql.placeholder;

  return {
    byId: db
      .select()
      .from(users)
      .where(eq(users.id, p('id')))
      .prepare('users_by_id'),
    byIds: db
      .select()
      .from(users)
      .where(sql`${users.id} = ANY(${p('ids')}::bigint[])`)
      .prepare('users_by_ids'),
    page: db
      .select()
      .from(users)
      .where(gt(users.id, p('after')))
      .orderBy(asc(users.id))
      .limit(p('limit'))
      .prepare('users_page'),
    insert: db
      .insert(users)
      .values({ email: p('email'), name: p('name') })
      .returning()
      .prepare('users_insert'),
    // One statement for the whole batch, however large: unnest turns the two arrays into rows. drizzle's
    // builder cannot express an INSERT ... SELECT into some of the columns, so this one is named by hand.
    insertMany: {
      async execute(values: { emails: string[]; names: string[] }): Promise<UserRow[]> {
        const result = await pool.query<UserRow>({
          name: 'users_insert_many',
          text: `INSERT INTO users (email, name) SELECT * FROM unnest($1::text[], $2::text[])
                 RETURNING id, email, name, version, created_at AS "createdAt", updated_at AS "updatedAt"`,
          values: [values.emails, values.names],
        });
        return result.rows;
      },
    },
    count: db.select({ n: count() }).from(users).prepare('users_count'),
    update: (client: PoolClient, v: WriteValues & { email: string | null; name: string | null }) =>
      client
        .query<UserRow>({
          name: 'users_update',
          text: `UPDATE users SET email = coalesce($2::text, email), name = coalesce($3::text, name),
                   version = version + 1, updated_at = now()
                 WHERE id = $1 AND ${writeCondition(4, 5)} RETURNING ${RETURNED}`,
          values: [v.id, v.email, v.name, v.expected, v.deadlineMs],
        })
        .then((r) => r.rows[0]),
    remove: (client: PoolClient, v: WriteValues) =>
      client
        .query<{ id: number; version: number }>({
          name: 'users_delete',
          text: `DELETE FROM users WHERE id = $1 AND ${writeCondition(2, 3)} RETURNING id, version`,
          values: [v.id, v.expected, v.deadlineMs],
        })
        .then((r) => r.rows[0]),
  };
}

/** A conditional write's values; `expected` null means any version (If-Match: *, or a DELETE without one). */
export interface WriteValues {
  id: number;
  expected: number | null;
  /** Epoch milliseconds after which the write must not run (the request's deadline). */
  deadlineMs: number;
}

const RETURNED = 'id, email, name, version, created_at AS "createdAt", updated_at AS "updatedAt"';
// The version check and the request's deadline, judged by Postgres when the row is written: a request that waited
// past its deadline (a replica frozen with it in a socket buffer, say) changes nothing, however late it runs.
const writeCondition = (expected: number, deadline: number) =>
  `($${expected}::int IS NULL OR version = $${expected}::int) AND clock_timestamp() < to_timestamp($${deadline}::float8 / 1000)`;

export type UserQueries = ReturnType<typeof prepareUserQueries>;
