import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));

// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Applies the committed drizzle migrations. Safe to run from several replicas at once: each takes a session
 * advisory lock first, so one migrates while the others wait and then find nothing left to do.
 */
export async function runMigrations(databaseUrl: string, lockTimeoutMs = 60_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'swarmgate-migrate' });
  await client.connect();
  try {
    await client.query(`SET lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('SET lock_timeout = 0');
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
