import type { ReportSection } from 'swarmgate-swarm';

/** What the ingest mode's teardown found: the client's ledger against Postgres, and how long the drain took. */
export interface IngestFindings {
  /** Every event id a POST answered 202 for (from every process's ledger; an id twice if answered twice). */
  accepted: readonly string[];
  /**
   * Every event id the client sent (its own ids, recorded before each POST), when it set them: a stored row is then
   * either accepted, of a POST whose answer never came (unknown outcome), or one this run never sent (unexpected).
   * Without it (k6's mirror), a row no 202 answered counts as unexpected, for information only.
   */
  sent?: readonly string[];
  /** The ids of the rows Postgres holds for the run id (one per row). */
  stored: readonly string[];
  /** Seconds from the end of the load until the stream had nothing waiting or pending; null if it never did. */
  drainS: number | null;
  /** How long the teardown waited for the drain at most, in seconds. */
  drainLimitS: number;
  /** POSTs whose outcome the client does not know (no answer, a 5xx after the gateway may have passed it on). */
  unknown: number;
}

export interface IngestVerdict {
  /** The custom metrics the mode's thresholds judge (`ingest_missing==0`, `drain_s<60`, ...). */
  metrics: {
    ingest_accepted: number;
    ingest_stored: number;
    ingest_missing: number;
    ingest_duplicates: number;
    ingest_unexpected: number;
    drain_s: number;
  };
  /** "accepted N, stored N, drained in X s". */
  line: string;
  section: ReportSection;
}

const EXAMPLES = 10;

/**
 * Judges exactly-once delivery (pure): every id answered 202 is stored once (`ingest_missing`: accepted, not
 * stored; `ingest_duplicates`: rows beyond one per id), and the drain's time. With the ids the client sent, a
 * row no 202 answered is either of a POST whose answer never came (reported: a POST that timed out or was cut
 * short may still have been appended) or one this run never sent (`ingest_unexpected`, judged `==0`); without
 * them, every row no 202 answered is `ingest_unexpected`, reported only. A drain that never finished counts as
 * the whole wait, so `drain_s<limit` fails.
 *
 * @example
 * ingestVerdict({ accepted: ['a', 'b'], stored: ['a', 'b'], drainS: 1.2, drainLimitS: 60, unknown: 0 }).line;
 * // 'accepted 2, stored 2, drained in 1.2 s'
 */
export function ingestVerdict(f: IngestFindings): IngestVerdict {
  const acceptedSet = new Set(f.accepted);
  const seen = new Map<string, number>();
  for (const id of f.stored) seen.set(id, (seen.get(id) ?? 0) + 1);
  const missing = [...acceptedSet].filter((id) => !seen.has(id));
  const duplicates = f.stored.length - seen.size;
  const sentSet = f.sent === undefined ? null : new Set(f.sent);
  const notAccepted = [...seen.keys()].filter((id) => !acceptedSet.has(id));
  // Sent, never answered 202 (cut short, timed out), yet stored: the client cannot tell, and that is allowed.
  const unanswered = sentSet === null ? [] : notAccepted.filter((id) => sentSet.has(id));
  const unexpected = sentSet === null ? notAccepted : notAccepted.filter((id) => !sentSet.has(id));
  const drained = f.drainS !== null;
  const drainS = f.drainS ?? f.drainLimitS;
  const line =
    `accepted ${acceptedSet.size}, stored ${seen.size}` +
    (duplicates > 0 ? ` (${duplicates} duplicate rows)` : '') +
    (drained ? `, drained in ${drainS.toFixed(1)} s` : `, NOT drained within ${f.drainLimitS} s`) +
    (missing.length > 0 ? `, ${missing.length} missing` : '');
  const rows: Array<Array<string | number | null>> = [
    ['accepted (answered 202)', acceptedSet.size, ''],
    ['stored (rows with the run id)', seen.size, ''],
    ['missing (accepted, not stored)', missing.length, missing.slice(0, EXAMPLES).join(' ')],
    ['duplicate rows', duplicates, ''],
    ...(sentSet === null
      ? [
          [
            'stored without a 202 seen',
            unexpected.length,
            `${f.unknown} POSTs of unknown outcome; ${unexpected.slice(0, EXAMPLES).join(' ')}`.trim(),
          ],
        ]
      : [
          ['sent (ids the client set)', sentSet.size, ''],
          [
            'stored, sent without an answer seen',
            unanswered.length,
            `${f.unknown} POSTs answered neither 202 nor a refusal, and those cut short at the end`,
          ],
          ['stored, never sent by this run', unexpected.length, unexpected.slice(0, EXAMPLES).join(' ')],
        ]),
    [
      'drain (s after the load)',
      drained ? Number(drainS.toFixed(1)) : null,
      drained ? '' : `over ${f.drainLimitS} s`,
    ],
  ];
  return {
    metrics: {
      ingest_accepted: acceptedSet.size,
      ingest_stored: seen.size,
      ingest_missing: missing.length,
      ingest_duplicates: duplicates,
      ingest_unexpected: unexpected.length,
      drain_s: Number(drainS.toFixed(1)),
    },
    line,
    section: {
      title: 'Async ingest: accepted vs stored',
      columns: ['what', 'count', 'examples'],
      rows,
      note: 'Every event answered 202 must be in Postgres exactly once once the stream has drained (counted by run id).',
    },
  };
}
