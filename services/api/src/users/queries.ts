import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Pool } from '../db/pool';
import { type UserRow, users } from '../db/schema';

/**
 * Every statement the users API runs, built and named once at start. node-postgres prepares a named statement
 * the first time each connection runs it and reuses the plan after, so handlers only bind values and execute.
 */
export function prepareUserQueries(pool: Pool) {
  const db = drizzle(pool);
  const p = sql.placeholder;
  // NULL means "any version" (If-Match: * or no precondition on DELETE).
  const versionMatches = sql`(${p('expected')}::int IS NULL OR ${users.version} = ${p('expected')}::int)`;

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
    update: db
      .update(users)
      .set({
        email: sql`coalesce(${p('email')}::text, ${users.email})`,
        name: sql`coalesce(${p('name')}::text, ${users.name})`,
        version: sql`${users.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(users.id, p('id')), versionMatches))
      .returning()
      .prepare('users_update'),
    remove: db
      .delete(users)
      .where(and(eq(users.id, p('id')), versionMatches))
      .returning({ id: users.id })
      .prepare('users_delete'),
    count: db.select({ n: count() }).from(users).prepare('users_count'),
  };
}

export type UserQueries = ReturnType<typeof prepareUserQueries>;
