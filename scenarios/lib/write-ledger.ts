/**
 * The failure lab's records, as data: every write a lab user sent and how it ended, and every stale read it saw.
 * Pure: the user classes make the records, lab-ledger-file.ts carries them from each process to the teardown,
 * lost-writes.ts and stale-reads.ts judge them.
 */

export type WriteOp = 'create' | 'update' | 'delete';

/**
 * The lab user's write rows and the statuses each counts as success: the teardown holds the ledger against these
 * rows of the summary, so a ledger that missed writes (a worker's file lost) cannot pass as a clean check.
 */
export const LAB_WRITES: Readonly<
  Record<WriteOp, { method: string; name: string; expect: readonly number[] }>
> = {
  create: { method: 'POST', name: '/api/users [lab]', expect: [201] },
  update: { method: 'PATCH', name: '/api/users/:id [lab]', expect: [200, 412] },
  delete: { method: 'DELETE', name: '/api/users/:id [lab]', expect: [204] },
};
/** The lab user's reads of one user. */
export const LAB_READ_ROW = '/api/users/:id [lab]';

/** One write as the client saw it end. */
export interface LedgerEntry {
  op: WriteOp;
  /** The user's id; null for a create that got no answer (no id was learnt, so nothing can be checked). */
  id: number | null;
  /** The version the answer named (201/200 ETag, a 412's current ETag); null otherwise. */
  version: number | null;
  /** 0 when no answer came (a timeout, a refused connection). */
  status: number;
  /** Epoch ms when the answer came or the request gave up. */
  at: number;
}

/**
 * How a write ended, for the checks:
 * - `acked`: the API acknowledged it (2xx) — Postgres must show it at the end;
 * - `unknown`: no answer, a timeout, a 5xx or a 408 — it may or may not have happened, and either is fine;
 * - `refused`: any other 4xx (a 412 conflict, a 404, a 409) — the API says nothing was written.
 */
export type Outcome = 'acked' | 'unknown' | 'refused';

export function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'acked';
  if (status === 0 || status >= 500 || status === 408) return 'unknown';
  return 'refused';
}

/** A read older than what its user already knew, with where it came from. */
export interface StaleRead {
  id: number;
  /** What the user knew, e.g. `>= v4` or `404 (deleted)`. */
  expected: string;
  /** What the read answered, e.g. `v3`. */
  got: string;
  /** X-Upstream (the replica's address; several when the gateway retried), X-Instance and X-Cache. */
  upstream: string;
  instance: string;
  cache: string;
  at: number;
}

/** The lines of a ledger file (JSON Lines): one process's start, its writes and stale reads, and its clean end. */
export type LedgerLine =
  | { k: 'start'; pid: number }
  | ({ k: 'w' } & LedgerEntry)
  | ({ k: 's' } & StaleRead)
  | { k: 'end'; pid: number };

/** Everything one run's processes recorded. */
export interface LabRecords {
  writes: LedgerEntry[];
  stale: StaleRead[];
  /** One per process that recorded; `complete` when it ended cleanly (its last records are in). */
  processes: Array<{ pid: number; complete: boolean }>;
}

/**
 * Parses ledger files' texts (one per process) into one record set. A line that is not JSON (a process killed
 * mid-write leaves at most a torn last line) is skipped; its process then counts as incomplete, having no end.
 */
export function parseLedgers(texts: readonly string[]): LabRecords {
  const records: LabRecords = { writes: [], stale: [], processes: [] };
  for (const text of texts) {
    let pid = -1;
    let complete = false;
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let line: LedgerLine;
      try {
        line = JSON.parse(raw) as LedgerLine;
      } catch {
        continue;
      }
      if (line.k === 'start') pid = line.pid;
      else if (line.k === 'end') complete = true;
      else if (line.k === 'w') records.writes.push(line);
      else if (line.k === 's') records.stale.push(line);
    }
    records.processes.push({ pid, complete });
  }
  return records;
}

const ETAG = /^(?:W\/)?"v(\d+)"$/;

/** The version an ETag names (`"v3"` → 3), or null for any other tag or none. */
export function versionOfEtag(etag: string | undefined): number | null {
  if (etag === undefined) return null;
  const m = ETAG.exec(etag);
  return m ? Number(m[1]) : null;
}
