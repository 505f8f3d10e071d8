import { describe, expect, it } from 'vitest';
import { findLostWrites, idsToCheck } from './lost-writes';
import type { LedgerEntry, WriteOp } from './write-ledger';

let clock = 0;
const w = (op: WriteOp, id: number | null, status: number, version: number | null = null): LedgerEntry => ({
  op,
  id,
  version,
  status,
  at: ++clock,
});
const rows = (...pairs: Array<[number, number]>) => new Map(pairs);

describe('findLostWrites', () => {
  it('finds nothing lost when Postgres shows every acknowledged write', () => {
    const ledger = [
      w('create', 1, 201, 1),
      w('update', 1, 200, 2),
      w('create', 2, 201, 1),
      w('delete', 2, 204),
      w('create', 3, 201, 1),
    ];
    const r = findLostWrites(ledger, rows([1, 2], [3, 1]));
    expect(r).toMatchObject({ lost: 0, examples: [], acknowledged: 5, unknown: 0, checkedIds: 3 });
  });

  it('counts a created row that is missing', () => {
    const r = findLostWrites([w('create', 7, 201, 1), w('create', 8, 201, 1)], rows([8, 1]));
    expect(r.lost).toBe(1);
    expect(r.examples).toEqual([{ id: 7, acknowledged: 'created v1', postgres: 'missing' }]);
  });

  it('counts a row whose version is below the last acknowledged one', () => {
    const ledger = [w('create', 4, 201, 1), w('update', 4, 200, 2), w('update', 4, 200, 3)];
    expect(findLostWrites(ledger, rows([4, 2])).examples).toEqual([
      { id: 4, acknowledged: 'updated to v3', postgres: 'v2' },
    ]);
    // Above the acknowledged version is fine: another writer, or an update of unknown outcome.
    expect(findLostWrites(ledger, rows([4, 5])).lost).toBe(0);
  });

  it('judges by the highest acknowledged version, whatever order the processes wrote their ledgers in', () => {
    const ledger = [w('update', 4, 200, 3), w('update', 4, 200, 2)];
    expect(findLostWrites(ledger, rows([4, 2])).lost).toBe(1);
  });

  it('counts a deleted row that is still present, even after an acknowledged update', () => {
    const ledger = [w('create', 5, 201, 1), w('update', 5, 200, 2), w('delete', 5, 204)];
    expect(findLostWrites(ledger, rows([5, 2])).examples).toEqual([
      { id: 5, acknowledged: 'deleted', postgres: 'v2' },
    ]);
  });

  it('tolerates writes of unknown outcome either way', () => {
    const ledger = [
      w('create', null, 0), // no answer: no id to check
      w('create', 1, 201, 1),
      w('update', 1, 502), // may have landed (v2) or not (v1)
      w('create', 2, 201, 1),
      w('delete', 2, 504), // may have removed the row
      w('create', 3, 201, 1),
      w('delete', 3, 0),
    ];
    for (const view of [rows([1, 1], [2, 1], [3, 1]), rows([1, 2])]) {
      const r = findLostWrites(ledger, view);
      expect(r).toMatchObject({ lost: 0, unknown: 4, acknowledged: 3 });
    }
  });

  it('ignores refused writes: a 412, a 404 or a 409 wrote nothing', () => {
    const ledger = [
      w('create', 1, 201, 1),
      w('update', 1, 412, 3),
      w('delete', 1, 404),
      w('create', null, 409),
    ];
    expect(findLostWrites(ledger, rows([1, 1])).lost).toBe(0);
    // …and a refused delete does not excuse a missing row.
    expect(findLostWrites(ledger, rows()).lost).toBe(1);
  });

  it('shows at most the asked number of examples, lowest ids first, and counts them all', () => {
    const ledger = Array.from({ length: 15 }, (_, i) => w('create', 100 - i, 201, 1));
    const r = findLostWrites(ledger, rows(), 10);
    expect(r.lost).toBe(15);
    expect(r.examples.map((e) => e.id)).toEqual([86, 87, 88, 89, 90, 91, 92, 93, 94, 95]);
  });

  it('asks Postgres only for ids with an acknowledged write', () => {
    expect(
      idsToCheck([w('create', 3, 201, 1), w('update', 9, 503), w('delete', 1, 204), w('update', 3, 200, 2)]),
    ).toEqual([1, 3]);
  });
});
