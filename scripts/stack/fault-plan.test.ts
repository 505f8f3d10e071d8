import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  composeFaultCommands,
  FAULT_ACTIONS,
  FaultError,
  faultProblem,
  type PartState,
  parseFaultArgs,
} from './fault-plan';
import { MONITORING_PARTS } from './native/monitoring';
import { loadSettings } from './settings';
import { COMPOSE_REPLICAS, nativeTopology } from './topology';

const parts: PartState[] = [
  { name: 'redis', running: true, frozen: false },
  { name: 'app1', running: true, frozen: true },
  { name: 'app2', running: false, frozen: false },
];

describe('parseFaultArgs', () => {
  it('reads the action, the part and the flags', () => {
    expect(parseFaultArgs(['freeze', 'redis', '--for', '10s', '--json'])).toEqual({
      action: 'freeze',
      part: 'redis',
      forMs: 10_000,
      timeoutMs: 30_000,
      check: false,
      json: true,
    });
    expect(parseFaultArgs(['start', 'app2', '--timeout=45s', '--check'])).toMatchObject({
      action: 'start',
      timeoutMs: 45_000,
      check: true,
    });
    expect(parseFaultArgs(['kill', 'app2', '--for', '500ms']).forMs).toBe(500);
  });

  it.each([
    [[], /usage: stack fault/],
    [['kill'], /usage: stack fault/],
    [['kill', 'app2', 'app3'], /usage: stack fault/],
    [['explode', 'app2'], /unknown action "explode": one of kill, stop, start, restart, freeze, thaw/],
    [['freeze', 'redis', '--for', 'ten'], /--for: must be a duration like 10s .*got "ten"/],
    [['freeze', 'redis', '--for'], /--for: must be a duration .*got ""/],
    [['start', 'app2', '--for', '5s'], /--for applies to kill, stop, freeze and degrade .*not to start/],
    [['degrade', 'downstream'], /degrade needs at least one of --latency-ms, --jitter-ms, --error-rate/],
    [
      ['degrade', 'downstream', '--error-rate', '1.5'],
      /--error-rate: must be a number from 0 to 1 \(got "1.5"\)/,
    ],
    [
      ['degrade', 'downstream', '--latency-ms', '2.5'],
      /--latency-ms: must be a whole number of ms from 0 to 60000/,
    ],
    [['degrade', 'downstream', '--latency-ms'], /--latency-ms: .*got ""/],
    [['kill', 'app2', '--error-rate', '0.2'], /--error-rate apply to degrade, not to kill/],
    [['start', 'app2', '--timeout', '10ms'], /--timeout: must be a duration/],
    [['kill', 'app2', '--force'], /unknown option --force/],
  ])('refuses %j', (args, message) => {
    expect(() => parseFaultArgs(args)).toThrow(FaultError);
    expect(() => parseFaultArgs(args)).toThrow(message);
  });
});

describe('faultProblem', () => {
  it('names an unknown part and lists the parts', () => {
    expect(faultProblem({ action: 'kill', part: 'app9' }, parts)).toBe(
      'unknown part "app9": the parts are redis, app1, app2',
    );
  });

  it('refuses kill, stop, restart and freeze of a part that is not running', () => {
    for (const action of ['kill', 'stop', 'restart', 'freeze'] as const) {
      expect(faultProblem({ action, part: 'app2' }, parts)).toMatch(/^app2 is not running, so it cannot be/);
      expect(faultProblem({ action, part: 'redis' }, parts)).toBeUndefined();
    }
  });

  it('refuses start of a running part, frozen or not', () => {
    expect(faultProblem({ action: 'start', part: 'redis' }, parts)).toMatch(/redis is already running/);
    expect(faultProblem({ action: 'start', part: 'app1' }, parts)).toMatch(/app1 is already running/);
    expect(faultProblem({ action: 'start', part: 'app2' }, parts)).toBeUndefined();
  });

  it('lets thaw through whatever the state', () => {
    for (const part of ['redis', 'app1', 'app2'])
      expect(faultProblem({ action: 'thaw', part }, parts)).toBeUndefined();
  });
});

describe('composeFaultCommands', () => {
  it('maps each action to docker compose', () => {
    expect(composeFaultCommands('kill', 'app2', 30_000)).toEqual([['kill', '--signal', 'SIGKILL', 'app2']]);
    expect(composeFaultCommands('stop', 'postgres', 30_000)).toEqual([['stop', 'postgres']]);
    expect(composeFaultCommands('freeze', 'redis', 30_000)).toEqual([['pause', 'redis']]);
    expect(composeFaultCommands('thaw', 'redis', 30_000)).toEqual([['unpause', 'redis']]);
    const ready = ['up', '--detach', '--no-deps', '--wait', '--wait-timeout', '30', 'app2'];
    expect(composeFaultCommands('start', 'app2', 30_000)).toEqual([ready]);
    expect(composeFaultCommands('restart', 'app2', 29_500)).toEqual([['restart', 'app2'], ready]);
  });

  it('names only services docker-compose.yml has, with the native parts’ names', () => {
    const compose = parse(readFileSync(join(import.meta.dirname, '..', '..', 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as { services: Record<string, unknown> };
    const topology = nativeTopology({ ...loadSettings({}), replicas: COMPOSE_REPLICAS });
    const names = ['postgres', 'redis', 'pgbouncer', 'gateway', ...topology.replicas.map((r) => r.name)];
    for (const part of [...names, ...MONITORING_PARTS]) {
      expect(Object.keys(compose.services), part).toContain(part);
      for (const action of FAULT_ACTIONS.filter((a) => a !== 'degrade' && a !== 'heal'))
        for (const args of composeFaultCommands(action, part, 30_000)) expect(args.at(-1)).toBe(part);
    }
  });
});

describe('degrade and heal (the overload lab downstream)', () => {
  it('reads the behaviour flags into a degradation, with --for', () => {
    expect(
      parseFaultArgs(['degrade', 'downstream', '--latency-ms', '2000', '--error-rate=0.2', '--for', '30s']),
    ).toMatchObject({
      action: 'degrade',
      part: 'downstream',
      forMs: 30_000,
      degradation: { latencyMs: 2000, errorRate: 0.2 },
    });
    expect(parseFaultArgs(['heal', 'downstream']).degradation).toBeUndefined();
  });

  it('apply to the downstream service only, while it runs', () => {
    const withDownstream: PartState[] = [...parts, { name: 'downstream', running: true, frozen: false }];
    expect(faultProblem({ action: 'degrade', part: 'downstream' }, withDownstream)).toBeUndefined();
    expect(faultProblem({ action: 'heal', part: 'downstream' }, withDownstream)).toBeUndefined();
    expect(faultProblem({ action: 'degrade', part: 'redis' }, withDownstream)).toBe(
      'degrade applies to downstream (a behaviour set at run time), not to redis',
    );
    const stopped: PartState[] = [{ name: 'downstream', running: false, frozen: false }];
    expect(faultProblem({ action: 'degrade', part: 'downstream' }, stopped)).toBe(
      'downstream is not running, so it cannot be degraded',
    );
  });

  it('under docker compose call the admin endpoint from inside the downstream container', () => {
    const [degrade] = composeFaultCommands('degrade', 'downstream', 30_000, {
      latencyMs: 2000,
      errorRate: 0.2,
    });
    expect(degrade!.slice(0, 5)).toEqual(['exec', '-T', 'downstream', 'node', '-e']);
    expect(degrade![5]).toContain('/admin/behaviour');
    expect(degrade![5]).toContain('"method":"PUT"');
    expect(degrade![5]).toContain('\\"latencyMs\\":2000');
    const [heal] = composeFaultCommands('heal', 'downstream', 30_000);
    expect(heal![5]).toContain('"method":"DELETE"');
  });
});
