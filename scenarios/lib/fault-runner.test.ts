import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AnnotationLine,
  applyFault,
  checkFaults,
  FaultError,
  frozenAfter,
  restoreParts,
  runSchedule,
  type StackCommand,
} from './fault-runner';
import { parseSchedule, planSteps } from './fault-schedule';

// The stack runner's `fault` command as a state machine over the parts (the real one is exercised end to end in
// scenarios/test/failure-lab.test.ts): --check exits 2 when the action does not apply, --json prints the record.
function fakeStack(initial: Record<string, 'up' | 'down' | 'frozen'> = {}) {
  const state: Record<string, 'up' | 'down' | 'frozen'> = { ...initial };
  const calls: string[] = [];
  let clock = 1_000_000;
  const needs = {
    kill: 'up',
    stop: 'up',
    restart: 'up',
    freeze: 'up',
    start: 'down',
    thaw: 'frozen',
  } as const;
  const leaves = {
    kill: 'down',
    stop: 'down',
    restart: 'up',
    freeze: 'frozen',
    start: 'up',
    thaw: 'up',
  } as const;
  const stack: StackCommand = async ([action, part, flag]) => {
    calls.push([action, part, flag].join(' '));
    const a = action as keyof typeof needs;
    if (!(part! in state) && part !== 'redis' && !/^app\d$/.test(part!))
      return { code: 2, stdout: '', stderr: `fault: no part ${part}` };
    const now = state[part!] ?? 'up';
    // As the stack runner: a thaw always applies (it cannot tell a frozen part from a running one).
    if (now !== needs[a] && a !== 'thaw')
      return { code: 2, stdout: '', stderr: `fault: ${a} does not apply: ${part} is ${now}` };
    if (flag === '--check') return { code: 0, stdout: '', stderr: '' };
    state[part!] = leaves[a];
    // The real clock, 100 ms on per action: a window's undo is due its length after the fault's record.
    clock = Math.max(clock + 100, Date.now());
    return {
      code: 0,
      stdout: `${JSON.stringify({ do: a, part, pid: 42, at: clock, end: clock + 50 })}\n`,
      stderr: '',
    };
  };
  return { stack, state, calls };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fault-runner-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const annotations = () =>
  readFileSync(join(dir, 'a.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AnnotationLine);

describe('checkFaults', () => {
  it('asks about each part’s first action and names every one that does not apply', async () => {
    const faults = parseSchedule(
      'lab',
      [
        { at: '1s', do: 'kill', part: 'app2' },
        { at: '2s', do: 'start', part: 'app2' },
        { at: '3s', do: 'freeze', part: 'redis', for: '1s' },
      ],
      10,
      3,
    );
    const ok = fakeStack();
    expect(await checkFaults('lab', faults, ok.stack)).toBeGreaterThanOrEqual(0);
    // The first part is asked twice: the second, warm, start-up is the lead the schedule uses.
    expect(ok.calls).toEqual(['kill app2 --check', 'freeze redis --check', 'kill app2 --check']);
    const broken = fakeStack({ app2: 'down', redis: 'down' });
    await expect(checkFaults('lab', faults, broken.stack)).rejects.toThrow(FaultError);
    await expect(checkFaults('lab', faults, broken.stack)).rejects.toThrow(
      /mode "lab": cannot apply its faults on this stack:\n {2}faults\[0\] \(kill app2\): fault: kill does not apply: app2 is down\n {2}faults\[2\] \(freeze redis\).*redis is down/,
    );
  });
});

describe('runSchedule', () => {
  it('applies each step in order and writes one band per window, the closing line with the same id', async () => {
    const { stack, calls, state } = fakeStack();
    const steps = planSteps(
      parseSchedule(
        'lab',
        [
          { at: '10ms', do: 'kill', part: 'app2' },
          { at: '30ms', do: 'start', part: 'app2' },
          { at: '20ms', do: 'freeze', part: 'redis', for: '30ms' },
        ],
        1,
        3,
      ),
    );
    const logs: string[] = [];
    const outcome = await runSchedule({
      mode: 'lab',
      steps,
      startMs: Date.now(),
      annotations: join(dir, 'a.jsonl'),
      stack,
      signal: new AbortController().signal,
      log: (l) => logs.push(l),
    });
    expect(outcome.error).toBeUndefined();
    expect(calls).toEqual([
      'kill app2 --json',
      'freeze redis --json',
      'start app2 --json',
      'thaw redis --json',
    ]);
    expect(state).toEqual({ app2: 'up', redis: 'up' });
    const lines = annotations();
    expect(lines.map((l) => [l.id, l.label, l.end === undefined])).toEqual([
      ['f0-kill-app2', 'app2 killed', true],
      ['f2-freeze-redis', 'redis frozen 0.03s', true],
      ['f0-kill-app2', 'app2 killed', false],
      ['f2-freeze-redis', 'redis frozen 0.03s', false],
    ]);
    // The band runs from the kill's record to the start's end (the part ready again).
    expect(lines[2]).toMatchObject({ at: lines[0]!.at, kind: 'fault' });
    expect(lines[2]!.end).toBeGreaterThan(lines[2]!.at);
    expect(logs[0]).toMatch(/^fault: \+.*s \(planned \+0\.01s\) kill app2: app2 killed$/);
    expect(logs[3]).toMatch(/thaw redis: ends "redis frozen 0.03s" \(its window is over\)$/);
  });

  it('applies nothing once stopped, and restoreParts brings back what a cut-short window left broken', async () => {
    const { stack, calls, state } = fakeStack();
    const steps = planSteps(
      parseSchedule(
        'lab',
        [
          { at: '0s', do: 'freeze', part: 'redis', for: '50s' },
          { at: '0s', do: 'kill', part: 'app3', for: '50s' },
        ],
        60,
        3,
      ),
    );
    const controller = new AbortController();
    const running = runSchedule({
      mode: 'lab',
      steps,
      startMs: Date.now(),
      annotations: join(dir, 'a.jsonl'),
      stack,
      signal: controller.signal,
      log: () => {},
    });
    // Ctrl-C while both windows are open: the thaw and start due at 50 s are never applied by the schedule.
    const deadline = Date.now() + 10_000;
    while (Object.keys(state).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const outcome = await running;
    expect(outcome.applied.map((a) => a.step.do)).toEqual(['freeze', 'kill']);
    expect(state).toEqual({ redis: 'frozen', app3: 'down' });
    const logs: string[] = [];
    expect(
      await restoreParts(['redis', 'app3', 'app1'], stack, frozenAfter(outcome.applied), (l) => logs.push(l)),
    ).toEqual(['redis thawed', 'app3 started']);
    expect(state).toEqual({ redis: 'up', app3: 'up' });
    expect(calls.filter((c) => c.endsWith('--json'))).toEqual([
      'freeze redis --json',
      'kill app3 --json',
      'thaw redis --json',
      'start app3 --json',
    ]);
    expect(logs).toEqual([
      'fault: brought back: redis thawed, app3 started',
      'fault: every part the schedule touched is up (redis, app3, app1)',
    ]);
  });

  it('ends the schedule at a step that fails, saying which', async () => {
    const { stack } = fakeStack();
    const failing: StackCommand = async (args) =>
      args[0] === 'stop'
        ? { code: 1, stdout: '', stderr: 'stack: stop failed at postgres: timeout' }
        : stack(args);
    const steps = planSteps(
      parseSchedule('lab', [{ at: '0s', do: 'stop', part: 'postgres', for: '10ms' }], 1, 3),
    );
    const outcome = await runSchedule({
      mode: 'lab',
      steps,
      startMs: Date.now(),
      annotations: join(dir, 'a.jsonl'),
      stack: failing,
      signal: new AbortController().signal,
      log: () => {},
    });
    expect(outcome.applied).toEqual([]);
    expect(outcome.error).toBe('lab: stop postgres failed: stack: stop failed at postgres: timeout');
  });
});

describe('applyFault and restoreParts', () => {
  it('takes the times from the stack runner’s record, or its own when there is none', async () => {
    const before = Date.now();
    const r = await applyFault(async () => ({ code: 0, stdout: 'killed\n', stderr: '' }), 'kill', 'app1');
    expect(r.at).toBeGreaterThanOrEqual(before);
    expect(r.end).toBeGreaterThanOrEqual(r.at);
  });

  it('names the parts it could not bring back and says how to restore the stack', async () => {
    const stuck: StackCommand = async ([action, , flag]) =>
      action === 'start' && flag === '--check'
        ? { code: 0, stdout: '', stderr: '' }
        : action === 'start'
          ? { code: 1, stdout: '', stderr: 'stack: start failed at postgres: not ready in 60s' }
          : { code: 2, stdout: '', stderr: '' };
    await expect(restoreParts(['postgres'], stuck, new Set(), () => {})).rejects.toThrow(
      /could not bring back postgres: start postgres failed: stack: start failed at postgres: not ready in 60s; run `make up`/,
    );
  });
});

describe('the downstream degraded step by step (the cascade lab)', () => {
  // The stack runner's degrade and heal: always apply to the downstream part; the call's flags are recorded.
  function degradeStack() {
    const calls: string[] = [];
    let clock = 2_000_000;
    const stack: StackCommand = async (args) => {
      calls.push(args.join(' '));
      if (args.includes('--check')) return { code: 0, stdout: '', stderr: '' };
      clock += 100;
      return {
        code: 0,
        stdout: `${JSON.stringify({ do: args[0], part: args[1], at: clock, end: clock })}\n`,
        stderr: '',
      };
    };
    return { stack, calls };
  }

  it('passes each degrade its flags, draws one band from the first degrade to the heal, and heals on restore', async () => {
    const faults = parseSchedule(
      'cascade',
      [
        { at: '0.1s', do: 'degrade', part: 'downstream', latencyMs: 200, errorRate: 0 },
        { at: '0.2s', do: 'degrade', part: 'downstream', latencyMs: 2000, errorRate: 0.2 },
        { at: '0.3s', do: 'heal', part: 'downstream' },
      ],
      10,
      3,
    );
    const { stack, calls } = degradeStack();
    expect(await checkFaults('cascade', faults, stack)).toBeGreaterThanOrEqual(0);
    expect(calls[0]).toBe('degrade downstream --latency-ms 200 --error-rate 0 --check');
    calls.length = 0;
    const outcome = await runSchedule({
      mode: 'cascade',
      steps: planSteps(faults),
      startMs: Date.now(),
      annotations: join(dir, 'a.jsonl'),
      stack,
      signal: new AbortController().signal,
      log: () => {},
    });
    expect(outcome.error).toBeUndefined();
    expect(calls).toEqual([
      'degrade downstream --latency-ms 200 --error-rate 0 --json',
      'degrade downstream --latency-ms 2000 --error-rate 0.2 --json',
      'heal downstream --json',
    ]);
    const lines = annotations();
    expect(lines[0]).toMatchObject({
      id: 'f0-degrade-downstream',
      label: 'downstream degraded (200 ms, 0% errors)',
    });
    expect(lines[0]!.end).toBeUndefined();
    expect(lines[1]).toMatchObject({ label: 'downstream degraded (2000 ms, 20% errors)', kind: 'note' });
    expect(lines[0]).toMatchObject({ kind: 'fault' });
    expect(lines[2]).toMatchObject({ id: 'f0-degrade-downstream', end: expect.any(Number) });
    calls.length = 0;
    await restoreParts(['downstream'], stack, new Set(), () => {});
    expect(calls).toEqual(['heal downstream --json']);
  });
});
