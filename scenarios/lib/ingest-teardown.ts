import { rmSync } from 'node:fs';
import type { TeardownResult } from 'swarmgate-swarm';
import { storedIds, waitForDrain } from './ingest-drain';
import { readIngestLedger } from './ingest-ledger';
import { ingestVerdict } from './ingest-verdict';
import { labDatabaseUrl } from './lab-teardown';

/** The custom metrics the ingest mode's thresholds judge, declared so they read 0 rather than warn at the start. */
export const INGEST_METRICS = [
  'ingest_accepted',
  'ingest_stored',
  'ingest_missing',
  'ingest_duplicates',
  'ingest_unexpected',
  'drain_s',
] as const;

export interface IngestTeardownOptions {
  dir: string;
  runId: string;
  redisUrl: string;
  databaseUrl?: string;
  /** INGEST_DRAIN_LIMIT_S, default 60. */
  drainLimitS?: number;
}

/**
 * The ingest mode's teardown, after the last user stopped: waits (bounded) for the stream to drain, counts the
 * run's rows in Postgres, holds them against every process's ledger of 202s, prints "accepted N, stored N, drained
 * in X s" and returns the metrics for the thresholds and a table for the report; removes the ledger folder. A
 * Postgres that does not answer is a failed check of its own (the counts would say nothing).
 */
export async function ingestTeardown(o: IngestTeardownOptions): Promise<TeardownResult> {
  const limitS = o.drainLimitS ?? 60;
  try {
    const drainS = await waitForDrain({
      redisUrl: o.redisUrl,
      stream: process.env.INGEST_STREAM || 'events',
      group: process.env.INGEST_GROUP || 'ingest',
      limitMs: limitS * 1000,
    });
    const { accepted, sent, unknown } = readIngestLedger(o.dir);
    let stored: string[];
    try {
      stored = await storedIds(o.databaseUrl ?? labDatabaseUrl(), o.runId);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return {
        checks: [
          {
            expression: 'ingest rows counted in Postgres',
            actual: null,
            ok: false,
            message: `Postgres did not answer (${why}); set DATABASE_URL or STACK_PG_PORT`,
          },
        ],
      };
    }
    const verdict = ingestVerdict({ accepted, sent, stored, drainS, drainLimitS: limitS, unknown });
    process.stdout.write(`ingest: ${verdict.line}\n`);
    return { sections: [verdict.section], metrics: verdict.metrics };
  } finally {
    rmSync(o.dir, { recursive: true, force: true });
  }
}
