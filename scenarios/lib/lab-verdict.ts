import type { ReportSection, Summary, TeardownResult, ThresholdResult } from 'swarmgate-swarm';
import { findLostWrites } from './lost-writes';
import { LAB_WRITES, type LabRecords, type WriteOp } from './write-ledger';

const MAX_EXAMPLES = 10;

/** What the lab's teardown found: the checks, the tables, and its custom metrics. */
export interface LabVerdict extends Required<TeardownResult> {
  metrics: { lost_writes?: number; stale_reads: number };
}

/** What Postgres holds for the checked ids (id → version), or why it could not be asked. */
export type PostgresView = { rows: ReadonlyMap<number, number> } | { error: string };

/**
 * Writes the client counted as answered with one of the row's success statuses, less those the ledgers hold: more
 * than 0 means a ledger is missing (a worker's file lost, a process that never wrote one), so the lost-write check
 * would have judged fewer writes than were made. Fewer in the summary is fine: a response cut short by a forced stop
 * is in the ledger but in no statistic.
 */
export function ledgerShortfall(records: LabRecords, summary: Summary): number {
  let missing = 0;
  for (const op of Object.keys(LAB_WRITES) as WriteOp[]) {
    const row = LAB_WRITES[op];
    const entry = summary.endpoints.find((e) => e.method === row.method && e.name === row.name);
    if (entry === undefined) continue;
    const answered = entry.requests - entry.failures - entry.throttled;
    const inLedger = records.writes.filter((w) => w.op === op && row.expect.includes(w.status)).length;
    missing += Math.max(0, answered - inLedger);
  }
  return missing;
}

/**
 * The lab's verdict from its records and Postgres's view (pure). The numbers are custom metrics, which a mode's
 * criteria judge (`lost_writes==0`, `stale_reads==0`): `lost_writes` only when Postgres answered (else a failing
 * check says why, and a criterion on it fails as "no metric"), `stale_reads` 0 here (the users count it as they
 * read; this makes it present, at their sum, in every lab run). A check `lab_ledger_missing==0` fails a run whose
 * ledgers did not all reach the teardown, which would otherwise check nothing; a table of examples for each.
 */
export function labVerdict(records: LabRecords, postgres: PostgresView, summary: Summary): LabVerdict {
  const checks: ThresholdResult[] = [];
  const sections: ReportSection[] = [];
  const incomplete = records.processes.filter((p) => !p.complete).length;
  const ledgers = `${records.processes.length} process ledger(s)${incomplete > 0 ? `, ${incomplete} incomplete (a process killed before its last records)` : ''}`;

  const metrics: LabVerdict['metrics'] = { stale_reads: 0 };
  if ('error' in postgres) {
    checks.push({ expression: 'lost_writes checked against Postgres', actual: null, ok: false });
    sections.push({
      title: 'Failure lab: lost writes',
      columns: ['id', 'acknowledged', 'postgres'],
      rows: [],
      note: `not checked: ${postgres.error}; ${ledgers}`,
    });
  } else {
    const r = findLostWrites(records.writes, postgres.rows, MAX_EXAMPLES);
    metrics.lost_writes = r.lost;
    sections.push({
      title: 'Failure lab: lost writes',
      columns: ['id', 'acknowledged', 'postgres'],
      rows: r.examples.map((e) => [e.id, e.acknowledged, e.postgres]),
      note:
        `${r.acknowledged} acknowledged writes on ${r.checkedIds} ids checked against Postgres, ${r.lost} lost ` +
        `(first ${MAX_EXAMPLES} shown); ${r.unknown} writes of unknown outcome (no answer, timeout, 5xx) ` +
        `tolerated either way; ${ledgers}`,
    });
  }

  const stale = [...records.stale].sort((a, b) => a.at - b.at);
  sections.push({
    title: 'Failure lab: stale reads',
    columns: ['id', 'expected', 'got', 'X-Upstream', 'X-Instance', 'X-Cache', 'at'],
    rows: stale
      .slice(0, MAX_EXAMPLES)
      .map((s) => [s.id, s.expected, s.got, s.upstream, s.instance, s.cache, new Date(s.at).toISOString()]),
    note:
      `${stale.length} reads older than what their user had written or read before (monotonic reads per user), ` +
      `or 200 for an id it had deleted; first ${MAX_EXAMPLES} shown`,
  });

  const missing = ledgerShortfall(records, summary);
  checks.push({ expression: 'lab_ledger_missing==0', actual: missing, ok: missing === 0 });
  return { checks, sections, metrics };
}
