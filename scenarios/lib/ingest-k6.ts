import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { waitForDrain } from './ingest-drain';
import { labDatabaseUrl } from './lab-teardown';

/**
 * `./load_test.sh --engine k6 ingest`: k6 counted the events answered 202 (k6/ingest.js's ingest_accepted, in its
 * summary file) but cannot reach Redis or Postgres, so the exactly-once criteria are judged here, after it exited:
 * the drain (bounded, as the Swarm mode's teardown waits), then the run's rows counted by run id. Without ids,
 * k6's check is by count: stored == accepted (ids are the table's primary key, so a row is never stored twice).
 * Prints "accepted N, stored N, drained in X s" and PASS or FAIL; it can only turn a pass into a fail.
 */
export async function ingestK6Verdict(summaryFile: string, code: number, env = process.env): Promise<number> {
  if (code > 1 || !existsSync(summaryFile)) return code;
  const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { runId: string; accepted: number };
  const limitS = Number(env.INGEST_DRAIN_LIMIT_S || 60);
  const redisUrl = env.REDIS_URL ?? `redis://127.0.0.1:${env.STACK_REDIS_PORT || 56379}`;
  const drainS = await waitForDrain({ redisUrl, limitMs: limitS * 1000 });
  const client = new pg.Client({ connectionString: labDatabaseUrl(env), connectionTimeoutMillis: 5000 });
  let stored: number;
  try {
    await client.connect();
    const res = await client.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE run_id = $1', [
      s.runId,
    ]);
    stored = Number(res.rows[0]?.n ?? 0);
  } catch (err) {
    process.stdout.write(
      `load_test: FAIL  ingest rows not counted: Postgres did not answer (${(err as Error).message})\n`,
    );
    return Math.max(code, 1);
  } finally {
    await client.end().catch(() => {});
  }
  const ok = stored === s.accepted && drainS !== null;
  const drained = drainS === null ? `NOT drained within ${limitS} s` : `drained in ${drainS.toFixed(1)} s`;
  process.stdout.write(
    `load_test: ${ok ? 'PASS' : 'FAIL'}  ingest: accepted ${s.accepted}, stored ${stored}, ${drained} (run id ${s.runId})\n`,
  );
  return ok ? code : 1;
}
