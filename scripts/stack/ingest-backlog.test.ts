import { describe, expect, it } from 'vitest';
import { metricSum } from './health';
import { backlogFrom } from './ingest-backlog';

describe('the ingest backlog', () => {
  it("is Redis 7's lag of the group, beside its pending entries", () => {
    const groups = [
      ['name', 'other', 'consumers', 0, 'pending', 9, 'last-delivered-id', '0-0', 'lag', 99],
      ['name', 'ingest', 'consumers', 2, 'pending', 12, 'last-delivered-id', '1-0', 'lag', 340],
    ];
    expect(backlogFrom(groups, 352)).toEqual({ backlog: 340, pending: 12, length: 352 });
  });

  it('is the length less the pending when Redis cannot tell the lag, and the whole stream without a group', () => {
    const unknownLag = [['name', 'ingest', 'pending', 5, 'lag', null]];
    expect(backlogFrom(unknownLag, 25)).toEqual({ backlog: 20, pending: 5, length: 25 });
    expect(backlogFrom([], 7)).toEqual({ backlog: 7, pending: 0, length: 7 });
  });
});

describe('metricSum', () => {
  it('adds every label set of one metric and only that one; undefined when absent', () => {
    const text = [
      '# HELP ingest_events_processed_total Events written',
      'ingest_events_processed_total{worker="worker1"} 120',
      'ingest_events_processed_total{worker="worker1",mode="x"} 3',
      'ingest_events_processed_total_other 1000',
    ].join('\n');
    expect(metricSum(text, 'ingest_events_processed_total')).toBe(123);
    expect(metricSum(text, 'ingest_backlog')).toBeUndefined();
  });
});
