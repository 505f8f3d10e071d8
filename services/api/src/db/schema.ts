import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const users = pgTable(
  'users',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    // Bumped by every write; the ETag and optimistic concurrency both carry it.
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  // Unique regardless of case, while the address is stored as the user typed it.
  (t) => [uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`)],
);

export type UserRow = typeof users.$inferSelect;

/**
 * Events taken by POST /api/events and written by the ingest workers (services/worker), one multi-row
 * `INSERT ... ON CONFLICT (id) DO NOTHING` per batch: `id` is the client's or the API's, so a replayed batch changes
 * nothing. `run_id` is the event's optional `runId` (a load test's run), indexed so a run's events can be counted;
 * `stream_id` is the Redis stream entry the event came from.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    ts: timestamp('ts', { withTimezone: true, mode: 'string' }).notNull(),
    runId: text('run_id'),
    streamId: text('stream_id').notNull(),
    insertedAt: timestamp('inserted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('events_run_id_idx').on(t.runId)],
);

export type EventRow = typeof events.$inferInsert;
