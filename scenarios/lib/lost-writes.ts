import { type LedgerEntry, outcomeOf } from './write-ledger';

/** One acknowledged write that Postgres does not show. */
export interface LostWrite {
  id: number;
  /** What the client was told, e.g. `created v1`, `updated to v4`, `deleted`. */
  acknowledged: string;
  /** What Postgres has at the end: `v3`, or `missing`. */
  postgres: string;
}

export interface LostWritesResult {
  /** Writes the client saw acknowledged, and those whose outcome it never learnt. */
  acknowledged: number;
  unknown: number;
  /** Ids the check looked up in Postgres. */
  checkedIds: number;
  lost: number;
  /** The first `maxExamples` lost writes, by id. */
  examples: LostWrite[];
}

/** The ids with at least one acknowledged write: what `findLostWrites` needs from Postgres. */
export function idsToCheck(writes: readonly LedgerEntry[]): number[] {
  const ids = new Set<number>();
  for (const w of writes) if (w.id !== null && outcomeOf(w.status) === 'acked') ids.add(w.id);
  return [...ids].sort((a, b) => a - b);
}

interface Known {
  /** Highest acknowledged version of a create or an update, 0 when none. */
  version: number;
  op: 'create' | 'update' | null;
  deleted: boolean;
  /** A delete whose outcome is unknown: the row may be gone. */
  maybeDeleted: boolean;
}

/**
 * Every acknowledged write of a run against what Postgres holds at its end (`rows`: id → version of the rows that
 * exist, looked up for `idsToCheck`). Ids are assigned by the server, so a deleted id is never created again: an
 * acknowledged delete means the row must be gone, whatever else happened to that id. Otherwise the row must exist
 * (unless a delete of unknown outcome may have removed it) with a version at least the last acknowledged one; a
 * higher version is fine (an update of unknown outcome, another writer). Writes of unknown outcome are never
 * counted as lost, and a refused write (412, 404 ...) is no claim at all. Pure.
 *
 * @example
 * findLostWrites([{ op: 'create', id: 7, version: 1, status: 201, at: 0 }], new Map()); // lost 1: 7 missing
 */
export function findLostWrites(
  writes: readonly LedgerEntry[],
  rows: ReadonlyMap<number, number>,
  maxExamples = 10,
): LostWritesResult {
  const known = new Map<number, Known>();
  let acknowledged = 0;
  let unknown = 0;
  for (const w of writes) {
    const outcome = outcomeOf(w.status);
    if (outcome === 'unknown') unknown++;
    if (outcome === 'refused' || w.id === null) continue;
    let k = known.get(w.id);
    if (k === undefined) {
      k = { version: 0, op: null, deleted: false, maybeDeleted: false };
      known.set(w.id, k);
    }
    if (outcome === 'unknown') {
      if (w.op === 'delete') k.maybeDeleted = true;
      continue;
    }
    acknowledged++;
    if (w.op === 'delete') k.deleted = true;
    else if (w.version !== null && w.version >= k.version) {
      k.version = w.version;
      k.op = w.op;
    }
  }
  const lostAll: LostWrite[] = [];
  for (const [id, k] of known) {
    const have = rows.get(id);
    const postgres = have === undefined ? 'missing' : `v${have}`;
    if (k.deleted) {
      if (have !== undefined) lostAll.push({ id, acknowledged: 'deleted', postgres });
      continue;
    }
    if (k.op === null) continue; // only unknown outcomes for this id
    const acked = k.op === 'create' ? `created v${k.version}` : `updated to v${k.version}`;
    if (have === undefined) {
      if (!k.maybeDeleted) lostAll.push({ id, acknowledged: acked, postgres });
    } else if (have < k.version) {
      lostAll.push({ id, acknowledged: acked, postgres });
    }
  }
  lostAll.sort((a, b) => a.id - b.id);
  return {
    acknowledged,
    unknown,
    checkedIds: [...known.values()].filter((k) => k.deleted || k.op !== null).length,
    lost: lostAll.length,
    examples: lostAll.slice(0, maxExamples),
  };
}
