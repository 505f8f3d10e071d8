import { describe, expect, it } from 'vitest';
import { groupState, parseResp } from './ingest-drain';
import { rampHoldStages, targetVusFrom } from './ingest-plan';
import { ingestVerdict } from './ingest-verdict';

describe('the ingest load shape', () => {
  it("is the reference's: a ramp over the first fifth, a hold of three, a ramp down over the last", () => {
    expect(rampHoldStages(50, '5m')).toEqual([
      { duration: '60s', target: 50 },
      { duration: '180s', target: 50 },
      { duration: '60s', target: 0 },
    ]);
    const short = rampHoldStages(4, '12s');
    expect(short.map((s) => s.duration)).toEqual(['2s', '8s', '2s']);
  });

  it('takes TARGET_VUS from the environment, else the default, and names a bad one', () => {
    expect(targetVusFrom({}, 50)).toBe(50);
    expect(targetVusFrom({ TARGET_VUS: '200' }, 50)).toBe(200);
    expect(() => targetVusFrom({ TARGET_VUS: 'lots' }, 50)).toThrow(/TARGET_VUS: must be a whole number/);
    expect(() => rampHoldStages(5, '3s')).toThrow(/RUN_TIME: the ingest mode needs at least 5s/);
  });
});

describe('the ingest verdict', () => {
  it('passes when every accepted id is stored once, and says so in one line', () => {
    const v = ingestVerdict({
      accepted: ['a', 'b', 'c'],
      stored: ['c', 'a', 'b'],
      drainS: 2.34,
      drainLimitS: 60,
      unknown: 0,
    });
    expect(v.line).toBe('accepted 3, stored 3, drained in 2.3 s');
    expect(v.metrics).toEqual({
      ingest_accepted: 3,
      ingest_stored: 3,
      ingest_missing: 0,
      ingest_duplicates: 0,
      ingest_unexpected: 0,
      drain_s: 2.3,
    });
  });

  it('counts missing and duplicate rows, reports rows no 202 answered, and a drain that never ended as the limit', () => {
    const v = ingestVerdict({
      accepted: ['a', 'b', 'b', 'c'],
      stored: ['a', 'a', 'x'],
      drainS: null,
      drainLimitS: 60,
      unknown: 2,
    });
    expect(v.metrics).toMatchObject({
      ingest_accepted: 3,
      ingest_stored: 2,
      ingest_missing: 2,
      ingest_duplicates: 1,
      ingest_unexpected: 1,
      drain_s: 60,
    });
    expect(v.line).toBe('accepted 3, stored 2 (1 duplicate rows), NOT drained within 60 s, 2 missing');
    expect(v.section.rows[2]).toEqual(['missing (accepted, not stored)', 2, 'b c']);
  });
});

describe("Redis's view of the drain", () => {
  it('with the ids the client sent, tells rows of unanswered POSTs from rows this run never sent', () => {
    const v = ingestVerdict({
      accepted: ['a', 'b'],
      sent: ['a', 'b', 'c', 'd'],
      stored: ['a', 'b', 'c', 'x'],
      drainS: 0.5,
      drainLimitS: 60,
      unknown: 1,
    });
    expect(v.metrics).toMatchObject({ ingest_missing: 0, ingest_unexpected: 1, ingest_stored: 4 });
    const row = (what: string) => v.section.rows!.find((r) => r[0] === what);
    expect(row('stored, sent without an answer seen')![1]).toBe(1); // c: sent, no 202 seen, stored
    expect(row('stored, never sent by this run')).toEqual(['stored, never sent by this run', 1, 'x']);
    expect(row('sent (ids the client set)')![1]).toBe(4);
  });

  it('parses RESP replies, and says when one is not complete yet', () => {
    const reply = '*2\r\n*4\r\n$4\r\nname\r\n$6\r\ningest\r\n$3\r\nlag\r\n:7\r\n:12\r\n';
    expect(parseResp(reply)?.value).toEqual([['name', 'ingest', 'lag', 7], 12]);
    expect(parseResp(reply.slice(0, 20))).toBeUndefined();
    expect(parseResp('$-1\r\n')?.value).toBeNull();
    expect(parseResp('-ERR no such key\r\n')?.value).toEqual(new Error('ERR no such key'));
  });

  it("reads the group's waiting entries (lag, else length less pending) and pending ones", () => {
    const groups = [
      ['name', 'other', 'pending', 1, 'lag', 1],
      ['name', 'ingest', 'pending', 3, 'lag', 5],
    ];
    expect(groupState(groups, 8, 'ingest')).toEqual({ waiting: 5, pending: 3 });
    expect(groupState([['name', 'ingest', 'pending', 3, 'lag', null]], 8, 'ingest')).toEqual({
      waiting: 5,
      pending: 3,
    });
    expect(groupState([], 4, 'ingest')).toEqual({ waiting: 4, pending: 0 });
  });
});
