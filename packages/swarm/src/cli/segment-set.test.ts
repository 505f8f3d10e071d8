import { describe, expect, it } from 'vitest';
import { sampleSummary } from '../report/test-support';
import type { Summary } from '../stats/summary-types';
import { checkSegments } from './segment-set';

/** A summary of segment `segment` of run `runId`. */
function part(file: string, segment: string | null, runId?: string) {
  const s = sampleSummary();
  const summary: Summary = { ...s, config: { ...s.config, segment }, ...(runId && { runId }) };
  return { file, summary };
}

describe('checkSegments', () => {
  it('accepts every segment of one run once, in any order, and a whole run alone', () => {
    const ok = checkSegments([part('b.json', '2/2', 'r1'), part('a.json', '1/2', 'r1')]);
    expect(ok).toEqual({ duplicates: [], mixed: [], missing: [], aborted: [] });
    expect(checkSegments([part('run.json', null, 'r1')])).toEqual({
      duplicates: [],
      mixed: [],
      missing: [],
      aborted: [],
    });
  });

  it('names a segment given twice: the same file, or two files of one segment', () => {
    expect(checkSegments([part('s1.json', '1/2', 'r1'), part('s1.json', '1/2', 'r1')]).duplicates).toEqual([
      's1.json and s1.json are both segment 1/2 of run r1',
    ]);
    expect(checkSegments([part('a.json', null, 'r1'), part('b.json', null, 'r1')]).duplicates).toEqual([
      'a.json and b.json are both the whole run of run r1',
    ]);
  });

  it('names the missing segments', () => {
    const r = checkSegments([part('p1.json', '1/3', 'r1'), part('p3.json', '3/3', 'r1')]);
    expect(r.missing).toEqual([{ segment: '2/3', reason: 'no file given to swarm merge', lastReport: null }]);
  });

  it('refuses segments of different runs, naming each file’s run', () => {
    const r = checkSegments([part('a.json', '1/2', 'r1'), part('b.json', '2/2', 'r2')]);
    expect(r.mixed).toEqual(['they are of different runs: a.json is of run r1, b.json is of run r2']);
    const counts = checkSegments([part('a.json', '1/2', 'r1'), part('b.json', '2/3', 'r1')]);
    expect(counts.mixed).toEqual([
      'they split their runs differently: a.json is segment 1/2, b.json is segment 2/3',
    ]);
  });

  it('checks files written before run ids by their segments alone', () => {
    expect(checkSegments([part('a.json', '1/2'), part('b.json', '2/2')])).toEqual({
      duplicates: [],
      mixed: [],
      missing: [],
      aborted: [],
    });
  });

  it('names a part cut short by a signal, its caller or a lost worker, or partial itself', () => {
    const killed = part('p2.json', '2/3', 'r1');
    killed.summary = { ...killed.summary, durationS: 4.2, stop: { reason: 'signal', detail: 'SIGTERM' } };
    const lost = part('p3.json', '3/3', 'r1');
    lost.summary = {
      ...lost.summary,
      partial: {
        missing: [{ segment: '2/2', reason: 'worker killed by SIGKILL after 3 s', lastReport: null }],
      },
    };
    const ran = part('p1.json', '1/3', 'r1');
    ran.summary = { ...ran.summary, stop: { reason: 'run_time', detail: 'run time 10s reached' } };
    const whole = part('run.json', null, 'r2');
    whole.summary = { ...whole.summary, stop: { reason: 'stopped', detail: 'stopped from the web UI' } };
    expect(checkSegments([whole]).aborted).toEqual([]);
    expect(checkSegments([ran, killed, lost]).aborted).toEqual([
      {
        file: 'p2.json',
        segment: '2/3',
        reason: 'stopped early (signal: SIGTERM) after 4.2 s',
        lastReport: null,
      },
      {
        file: 'p3.json',
        segment: '3/3',
        reason: 'partial itself: 2/2 worker killed by SIGKILL after 3 s',
        lastReport: null,
      },
    ]);
  });
});
