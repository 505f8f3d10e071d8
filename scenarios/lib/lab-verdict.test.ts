import type { EntrySummary, Summary } from 'swarmgate-swarm';
import { describe, expect, it } from 'vitest';
import { labVerdict, ledgerShortfall } from './lab-verdict';
import type { LabRecords, LedgerEntry } from './write-ledger';

const row = (method: string, name: string, requests: number, failures = 0): EntrySummary =>
  ({ method, name, requests, failures, throttled: 0 }) as EntrySummary;
const summaryWith = (...endpoints: EntrySummary[]) => ({ endpoints }) as Summary;
const created = (id: number): LedgerEntry => ({ op: 'create', id, version: 1, status: 201, at: id });
const records = (writes: LedgerEntry[], complete = true): LabRecords => ({
  writes,
  stale: [],
  processes: [{ pid: 1, complete }],
});

describe('the lab verdict', () => {
  it('passes a run whose ledger holds every answered write and Postgres every row', () => {
    const v = labVerdict(
      records([created(1), created(2)]),
      {
        rows: new Map([
          [1, 1],
          [2, 1],
        ]),
      },
      summaryWith(row('POST', '/api/users [lab]', 3, 1)),
    );
    expect(v.checks).toEqual([{ expression: 'lab_ledger_missing==0', actual: 0, ok: true }]);
    expect(v.metrics).toEqual({ lost_writes: 0, stale_reads: 0 });
  });

  it('fails when the summary counts acknowledged writes that no ledger holds (it would check nothing)', () => {
    const summary = summaryWith(
      row('POST', '/api/users [lab]', 5),
      row('PATCH', '/api/users/:id [lab]', 2),
      row('GET', '/api/users/:id [lab]', 40),
    );
    expect(ledgerShortfall(records([]), summary)).toBe(7);
    const v = labVerdict(records([]), { rows: new Map() }, summary);
    expect(v.checks.find((c) => c.expression === 'lab_ledger_missing==0')).toMatchObject({
      actual: 7,
      ok: false,
    });
  });

  it('gives no lost_writes, and a failing check that says why, when Postgres cannot be asked', () => {
    const v = labVerdict(
      records([created(1)]),
      { error: 'Postgres at 127.0.0.1:1/x did not answer' },
      summaryWith(),
    );
    expect(v.checks[0]).toEqual({
      expression: 'lost_writes checked against Postgres',
      actual: null,
      ok: false,
    });
    expect(v.sections[0]!.note).toContain('did not answer');
    // A criterion lost_writes==0 then fails as "no metric named lost_writes".
    expect(v.metrics).toEqual({ stale_reads: 0 });
  });

  it('lists lost writes and stale reads as examples, and says a killed process left its ledger incomplete', () => {
    const r = records([created(1)], false);
    r.stale.push({
      id: 1,
      expected: '>= v2',
      got: 'v1',
      upstream: '127.0.0.1:9',
      instance: 'app2',
      cache: 'HIT',
      at: 0,
    });
    const v = labVerdict(r, { rows: new Map() }, summaryWith());
    expect(v.sections[0]!.rows).toEqual([[1, 'created v1', 'missing']]);
    expect(v.sections[0]!.note).toContain('1 incomplete');
    expect(v.sections[1]!.rows).toEqual([
      [1, '>= v2', 'v1', '127.0.0.1:9', 'app2', 'HIT', '1970-01-01T00:00:00.000Z'],
    ]);
    // stale_reads is the users' count (environment.metrics); the teardown adds 0 so that it is always present.
    expect(v.metrics).toEqual({ lost_writes: 1, stale_reads: 0 });
  });
});
