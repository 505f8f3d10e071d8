import { describe, expect, it } from 'vitest';
import {
  durationS,
  faultLabel,
  firstActions,
  parseSchedule,
  planSteps,
  ScheduleError,
  touchedParts,
} from './fault-schedule';

const parse = (entries: unknown, runS = 60) => parseSchedule('lab', entries, runS, 3);

describe('durationS', () => {
  it('reads k6-style durations and refuses anything else', () => {
    expect(durationS('30s')).toBe(30);
    expect(durationS('1m30s')).toBe(90);
    expect(durationS('500ms')).toBe(0.5);
    expect(durationS('1h')).toBe(3600);
    for (const bad of ['', '30', 's', '30 s', '30sec', '1m x', '-5s']) expect(durationS(bad)).toBeUndefined();
  });
});

describe('parseSchedule', () => {
  it('places durations and shares of the run in seconds, in time order', () => {
    const faults = parse([
      { at: '60%', do: 'start', part: 'app2' },
      { at: '30%', do: 'kill', part: 'app2' },
      { at: '5s', do: 'freeze', part: 'redis', for: '10s' },
    ]);
    expect(faults.map((f) => [f.index, f.atS, f.do, f.part, f.forS])).toEqual([
      [2, 5, 'freeze', 'redis', 10],
      [1, 18, 'kill', 'app2', undefined],
      [0, 36, 'start', 'app2', undefined],
    ]);
  });

  it('names the ingest workers, worker1 to worker8 (the stack refuses one it does not run)', () => {
    const faults = parse([
      { at: '40%', do: 'kill', part: 'worker1' },
      { at: '70%', do: 'start', part: 'worker1' },
    ]);
    expect(faults.map((f) => [f.atS, f.do, f.part])).toEqual([
      [24, 'kill', 'worker1'],
      [42, 'start', 'worker1'],
    ]);
    expect(() => parse([{ at: '1s', do: 'kill', part: 'worker9' }])).toThrow(/worker1\.\.worker8/);
  });

  it('has no faults when the mode has none', () => {
    expect(parse(undefined)).toEqual([]);
  });

  const refusals: Array<[string, unknown, RegExp]> = [
    ['a list', { at: '1s' }, /mode "lab": "faults" must be a list/],
    ['an object per entry', ['kill app2'], /faults\[0\] \("kill app2"\): must be \{at, do, part, for\?\}/],
    ['known keys', [{ at: '1s', do: 'kill', part: 'app2', when: 1 }], /faults\[0\].*unknown key "when"/],
    ['a known action', [{ at: '1s', do: 'pause', part: 'app2' }], /"do" must be one of kill, stop, start/],
    ['a known part', [{ at: '1s', do: 'kill', part: 'mysql' }], /"part" must be one of app1..app3, redis/],
    ['an existing replica', [{ at: '1s', do: 'kill', part: 'app4' }], /"part" must be one of app1..app3/],
    ['a duration or share', [{ at: 'soon', do: 'kill', part: 'app2' }], /"at" must be a duration/],
    [
      'an instant within the run',
      [{ at: '60s', do: 'kill', part: 'app2' }],
      /falls at 60s, not within the run of 60s/,
    ],
    ['a share within the run', [{ at: '100%', do: 'kill', part: 'app2' }], /not within the run/],
    [
      'a window within the run',
      [{ at: '55s', do: 'freeze', part: 'redis', for: '10s' }],
      /ends at 65s, after/,
    ],
    [
      'for on a window action',
      [{ at: '1s', do: 'restart', part: 'app1', for: '5s' }],
      /"for" applies to freeze, stop, kill and degrade only/,
    ],
    [
      'a positive for',
      [{ at: '1s', do: 'freeze', part: 'redis', for: '0s' }],
      /"for" must be a positive duration/,
    ],
  ];
  for (const [what, entries, message] of refusals) {
    it(`needs ${what}`, () => {
      expect(() => parse(entries)).toThrow(ScheduleError);
      expect(() => parse(entries)).toThrow(message);
    });
  }

  it('refuses a fault inside another one’s window on the same part, naming both', () => {
    expect(() =>
      parse([
        { at: '10s', do: 'freeze', part: 'redis', for: '10s' },
        { at: '15s', do: 'stop', part: 'redis' },
      ]),
    ).toThrow(/faults\[1\] \(stop redis at 15s\) overlaps faults\[0\] \(freeze redis for 10s from 10s\)/);
    // Back to back is fine: the thaw comes first.
    expect(
      parse([
        { at: '10s', do: 'freeze', part: 'redis', for: '10s' },
        { at: '20s', do: 'stop', part: 'redis', for: '10s' },
      ]),
    ).toHaveLength(2);
  });

  it('refuses an action on a part that is not in a state it applies to', () => {
    expect(() => parse([{ at: '1s', do: 'start', part: 'app2' }])).toThrow(
      /faults\[0\] \(start app2 at 1s\): app2 is running then; start needs it down/,
    );
    expect(() => parse([{ at: '1s', do: 'thaw', part: 'redis' }])).toThrow(/thaw needs it frozen/);
    expect(() =>
      parse([
        { at: '1s', do: 'kill', part: 'app2' },
        { at: '2s', do: 'stop', part: 'app2' },
      ]),
    ).toThrow(/faults\[1\] \(stop app2 at 2s\): app2 is down then; stop needs it running/);
    // Faults on different parts do not interfere.
    expect(
      parse([
        { at: '1s', do: 'kill', part: 'app2' },
        { at: '2s', do: 'stop', part: 'app1' },
      ]),
    ).toHaveLength(2);
  });
});

describe('planSteps', () => {
  it('undoes windows when they end and annotates each window as one band', () => {
    const steps = planSteps(
      parse([
        { at: '10s', do: 'freeze', part: 'redis', for: '10s' },
        { at: '20s', do: 'stop', part: 'redis', for: '10s' },
      ]),
    );
    expect(steps.map((s) => [s.atS, s.do, s.part, s.undo, s.annotation.edge, s.annotation.id])).toEqual([
      [10, 'freeze', 'redis', false, 'open', 'f0-freeze-redis'],
      [20, 'thaw', 'redis', true, 'close', 'f0-freeze-redis'],
      [20, 'stop', 'redis', false, 'open', 'f1-stop-redis'],
      [30, 'start', 'redis', true, 'close', 'f1-stop-redis'],
    ]);
    expect(steps[0]!.annotation.label).toBe('redis frozen 10s');
    expect(steps.map((s) => s.annotation.recoverFrom)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('closes a kill’s band with the later start of the same part', () => {
    const steps = planSteps(
      parse([
        { at: '30%', do: 'kill', part: 'app2' },
        { at: '60%', do: 'start', part: 'app2' },
        { at: '50s', do: 'restart', part: 'app1' },
      ]),
    );
    expect(steps.map((s) => [s.atS, s.do, s.annotation.edge, s.annotation.id, s.annotation.label])).toEqual([
      [18, 'kill', 'open', 'f0-kill-app2', 'app2 killed'],
      [36, 'start', 'close', 'f0-kill-app2', 'app2 killed'],
      [50, 'restart', 'instant', 'f2-restart-app1', 'app1 restarted'],
    ]);
    // Swarm measures a kill's recovery from the kill, not from the start that ends its band.
    expect(steps[0]!.annotation.recoverFrom).toBe('start');
    expect(steps[2]!.annotation.recoverFrom).toBeUndefined();
  });
});

describe('touchedParts and firstActions', () => {
  it('lists each part once, with the action the pre-run check asks about', () => {
    const faults = parse([
      { at: '1s', do: 'kill', part: 'app2' },
      { at: '2s', do: 'freeze', part: 'redis', for: '1s' },
      { at: '5s', do: 'start', part: 'app2' },
    ]);
    expect(touchedParts(faults)).toEqual(['app2', 'redis']);
    expect(firstActions(faults).map((f) => `${f.do} ${f.part}`)).toEqual(['kill app2', 'freeze redis']);
    expect(faultLabel({ do: 'stop', part: 'postgres', forS: 10 })).toBe('postgres stopped 10s');
  });
});

describe('degrade and heal (the downstream service)', () => {
  it('ramps by degrade steps in one window that a heal, or the degrade’s for, closes', () => {
    const ramp = parse([
      { at: '10s', do: 'degrade', part: 'downstream', latencyMs: 10 },
      { at: '20s', do: 'degrade', part: 'downstream', latencyMs: 2000, errorRate: 0.2 },
      { at: '40s', do: 'heal', part: 'downstream' },
    ]);
    expect(ramp[1]!.degrade).toEqual({ latencyMs: 2000, errorRate: 0.2 });
    // The steps inside the window are notes: only the window's recovery, from the heal, is measured.
    expect(planSteps(ramp).map((s) => [s.do, s.annotation.edge, s.annotation.id, s.annotation.kind])).toEqual(
      [
        ['degrade', 'open', 'f0-degrade-downstream', undefined],
        ['degrade', 'instant', 'f1-degrade-downstream', 'note'],
        ['heal', 'close', 'f0-degrade-downstream', undefined],
      ],
    );
    const timed = planSteps(
      parse([{ at: '10s', do: 'degrade', part: 'downstream', errorRate: 0.5, for: '5s' }]),
    );
    expect(timed.map((s) => [s.atS, s.do, s.undo, s.annotation.edge])).toEqual([
      [10, 'degrade', false, 'open'],
      [15, 'heal', true, 'close'],
    ]);
    expect(faultLabel(ramp[1]!)).toBe('downstream degraded (2000 ms, 20% errors)');
  });

  it('refuses a degrade elsewhere, other actions on downstream, bad values and a heal with nothing degraded', () => {
    expect(() => parse([{ at: '1s', do: 'degrade', part: 'redis', latencyMs: 5 }])).toThrow(
      /degrade applies to the downstream part only/,
    );
    expect(() => parse([{ at: '1s', do: 'kill', part: 'downstream' }])).toThrow(
      /changed with degrade and heal only/,
    );
    expect(() => parse([{ at: '1s', do: 'degrade', part: 'downstream' }])).toThrow(
      /at least one of latencyMs/,
    );
    expect(() => parse([{ at: '1s', do: 'degrade', part: 'downstream', errorRate: 2 }])).toThrow(
      /"errorRate" must be a number from 0 to 1/,
    );
    expect(() => parse([{ at: '1s', do: 'kill', part: 'app1', latencyMs: 5 }])).toThrow(
      /belong to a degrade only/,
    );
    expect(() => parse([{ at: '1s', do: 'heal', part: 'downstream' }])).toThrow(
      /downstream is running then; heal needs it degraded/,
    );
  });
});
