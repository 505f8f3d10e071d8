import pg from 'pg';
import type { Summary } from 'swarmgate-swarm';
import { readLabDir, removeLabDir } from './lab-ledger-file';
import { type LabVerdict, labVerdict, type PostgresView } from './lab-verdict';
import { idsToCheck } from './lost-writes';

/**
 * The stack's Postgres as the API reaches it: DATABASE_URL when set, else the native stack's conventions
 * (STACK_PG_PORT, default 55432; STACK_DATABASE, default swarmgate; user postgres on 127.0.0.1).
 */
export function labDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  return `postgres://postgres@127.0.0.1:${env.STACK_PG_PORT || 55432}/${env.STACK_DATABASE || 'swarmgate'}`;
}

/** Where a URL points, without its credentials, for messages. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL (not a URL)';
  }
}

/** id → version of those `ids` that exist, read from Postgres directly (not through the API and its cache). */
async function versionsInPostgres(databaseUrl: string, ids: number[]): Promise<PostgresView> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 5000,
    statement_timeout: 15_000,
    query_timeout: 20_000,
  });
  try {
    await client.connect();
    const res = await client.query<{ id: string; version: number }>(
      'SELECT id, version FROM users WHERE id = ANY($1::bigint[])',
      [ids],
    );
    return { rows: new Map(res.rows.map((r) => [Number(r.id), r.version])) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      error: `Postgres at ${where(databaseUrl)} did not answer (${why}); set DATABASE_URL or STACK_PG_PORT`,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The lab's part of the teardown, after the last user stopped: reads every process's ledger from the run's
 * folder, asks Postgres for the acknowledged ids, judges, and removes the folder.
 */
export async function labTeardown(
  dir: string,
  summary: Summary,
  databaseUrl = labDatabaseUrl(),
): Promise<LabVerdict> {
  try {
    const records = readLabDir(dir);
    const ids = idsToCheck(records.writes);
    const postgres = ids.length === 0 ? { rows: new Map() } : await versionsInPostgres(databaseUrl, ids);
    return labVerdict(records, postgres, summary);
  } finally {
    removeLabDir(dir);
  }
}
