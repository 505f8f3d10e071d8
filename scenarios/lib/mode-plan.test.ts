import { describe, expect, it } from 'vitest';
import { loadProfiles, runIdOf, SCENARIO, swarmArgs } from './mode-plan';

const profiles = loadProfiles();
const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe('swarmArgs', () => {
  it('runs a mode with its classes, load, criteria and every report under the output folder', () => {
    const args = swarmArgs(profiles, 'stress', 'out/stress', {}, []);
    expect(args.slice(0, 4)).toEqual(['run', SCENARIO, 'ScalingSystemUser', 'AdminUser']);
    expect(flag(args, '-u')).toBe('50');
    expect(flag(args, '-r')).toBe('5');
    expect(flag(args, '-t')).toBe('5m');
    expect(args.filter((_, i) => args[i - 1] === '--threshold')).toEqual(profiles.modes.stress!.thresholds);
    expect(flag(args, '--json')).toBe('out/stress/summary.json');
    expect(flag(args, '--csv')).toBe('out/stress/run');
    expect(flag(args, '--junit')).toBe('out/stress/junit.xml');
    expect(flag(args, '--html')).toBe('out/stress/report.html');
  });

  it('leaves the verdict to the mode’s criteria, which say how many failures it allows, and names the run', () => {
    const args = swarmArgs(profiles, 'stress', 'load_test_reports/all-20261201-213000/stress', {}, []);
    expect(flag(args, '--exit-code-on-error')).toBe('0');
    expect(flag(args, '--run-id')).toBe('all-20261201-213000-stress');
    expect(runIdOf('load_test_reports/smoke-20261201-213000')).toBe('smoke-20261201-213000');
    expect(runIdOf('/tmp/x y/run')).toBe('tmp-x-y-run');
  });

  it('lets USERS, SPAWN_RATE, RUN_TIME and HOST override the profile, and extra flags come last', () => {
    const args = swarmArgs(
      profiles,
      'basic',
      'o',
      { USERS: '3', SPAWN_RATE: '1', RUN_TIME: '5s', HOST: 'http://h:1' },
      ['--loglevel', 'warning'],
    );
    expect([flag(args, '-u'), flag(args, '-r'), flag(args, '-t'), flag(args, '-H')]).toEqual([
      '3',
      '1',
      '5s',
      'http://h:1',
    ]);
    expect(args.slice(-2)).toEqual(['--loglevel', 'warning']);
  });

  it('leaves the load to the stages of a shaped mode unless USERS overrides it', () => {
    const spike = swarmArgs(profiles, 'spike', 'o', {}, []);
    expect(spike).not.toContain('-u');
    expect(swarmArgs(profiles, 'spike', 'o', { USERS: '4' }, [])).toContain('-u');
  });

  it('runs the breakpoint mode as an open-model ramp that stops on its SLO and writes capacity.json', () => {
    const args = swarmArgs(profiles, 'breakpoint', 'out/bp', {}, []);
    expect(args.slice(0, 3)).toEqual(['run', SCENARIO, 'HighVolumeUser']);
    expect(flag(args, '--rate')).toBe(profiles.modes.breakpoint!.rate);
    expect(args).not.toContain('-u');
    expect(flag(args, '--abort-on')).toBe('p(95)<500,rate<0.01');
    expect(flag(args, '--capacity-json')).toBe('out/bp/capacity.json');
    expect(
      flag(swarmArgs(profiles, 'breakpoint', 'out/bp', { RATE: '10/s:0s,100/s:20s' }, []), '--rate'),
    ).toBe('10/s:0s,100/s:20s');
    expect(profiles.all).not.toContain('breakpoint');
  });

  it('names the modes when asked for one that does not exist', () => {
    expect(() => swarmArgs(profiles, 'soak', 'o', {}, [])).toThrow(
      /no mode "soak".*smoke, basic, stress, cache, spike/,
    );
  });
});
