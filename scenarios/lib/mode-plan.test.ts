import { describe, expect, it } from 'vitest';
import {
  loadProfiles,
  modeServerQueries,
  type Profiles,
  profilesForSub,
  runIdOf,
  SCENARIO,
  swarmArgs,
} from './mode-plan';

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

  it('runs a constant arrival rate for its runTime (a ramp of rates ends with its last stage)', () => {
    const cpu = swarmArgs(profiles, 'cpu', 'o', {}, []);
    expect(flag(cpu, '--rate')).toBe(profiles.modes.cpu!.rate);
    expect(flag(cpu, '-t')).toBe(profiles.modes.cpu!.runTime);
    expect(flag(swarmArgs(profiles, 'cpu', 'o', { RUN_TIME: '5s' }, []), '-t')).toBe('5s');
    expect(swarmArgs(profiles, 'breakpoint', 'o', {}, [])).not.toContain('-t');
  });

  it('names the modes when asked for one that does not exist', () => {
    expect(() => swarmArgs(profiles, 'soak', 'o', {}, [])).toThrow(
      /no mode "soak".*smoke, basic, stress, cache, spike/,
    );
  });

  it('passes the profiles’ server queries, the mode’s over the top level’s, to --server-queries', () => {
    const withQueries: Profiles = {
      ...profiles,
      serverQueries: { everywhere: 'sum(up)', dropped: { query: 'x', unit: 'y' } },
      modes: {
        ...profiles.modes,
        basic: {
          ...profiles.modes.basic!,
          serverQueries: {
            db: { query: 'sum(pg_stat_database_numbackends)', unit: 'connections' },
            dropped: null,
            nginx_active_connections: null,
          },
        },
      },
    };
    const args = swarmArgs(withQueries, 'basic', 'o', {}, []);
    expect(JSON.parse(flag(args, '--server-queries')!)).toEqual({
      everywhere: 'sum(up)',
      dropped: null,
      db: { query: 'sum(pg_stat_database_numbackends)', unit: 'connections' },
      nginx_active_connections: null,
    });
    expect(JSON.parse(flag(swarmArgs(withQueries, 'smoke', 'o', {}, []), '--server-queries')!)).toEqual({
      everywhere: 'sum(up)',
      dropped: { query: 'x', unit: 'y' },
    });
    const { serverQueries: _, ...none } = withQueries;
    expect(swarmArgs({ ...none, modes: profiles.modes }, 'smoke', 'o', {}, [])).not.toContain(
      '--server-queries',
    );
  });

  it('declares the total CPU of every scraped process for the breakpoint (and scaling) reports', () => {
    const q = modeServerQueries(profiles, 'breakpoint')!;
    expect(q.scraped_cpu_cores_total).toMatchObject({ unit: 'cores' });
    expect(JSON.parse(flag(swarmArgs(profiles, 'breakpoint', 'o', {}, []), '--server-queries')!)).toEqual(q);
  });

  it('names the profiles.json entry of a query that is not one', () => {
    const bad = (q: unknown) =>
      modeServerQueries(
        { ...profiles, modes: { x: { ...profiles.modes.smoke!, serverQueries: { q } as never } } },
        'x',
      );
    expect(() => bad({ unit: 'cores' })).toThrow(
      'scenarios/profiles.json: modes.x.serverQueries.q must be PromQL text, { "query": "...", "unit": "..." } or null',
    );
    expect(() => bad('')).toThrow(/modes\.x\.serverQueries\.q/);
    expect(() => bad(42)).toThrow(/modes\.x\.serverQueries\.q/);
    expect(() => modeServerQueries({ ...profiles, serverQueries: ['up'] as never }, 'smoke')).toThrow(
      'scenarios/profiles.json: serverQueries must be an object of named queries',
    );
  });
});

describe('profilesForSub', () => {
  const thresholdsOf = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === '--threshold' ? [a] : []));

  it('runs a sub-run with its own thresholds instead of the mode’s', () => {
    const [without, withQuota] = profiles.modes.quota!.runs!;
    expect(thresholdsOf(swarmArgs(profilesForSub(profiles, 'quota', without), 'quota', 'o', {}, []))).toEqual(
      without!.thresholds,
    );
    expect(
      thresholdsOf(swarmArgs(profilesForSub(profiles, 'quota', withQuota), 'quota', 'o', {}, [])),
    ).toEqual(withQuota!.thresholds);
  });

  it('keeps the mode’s thresholds for a sub-run without its own, and the profiles untouched', () => {
    const sub = { name: 'a', description: 'b', stack: {} };
    expect(profilesForSub(profiles, 'pool', sub)).toBe(profiles);
    expect(profilesForSub(profiles, 'quota', undefined)).toBe(profiles);
    const copy = profilesForSub(profiles, 'quota', { ...sub, thresholds: ['rate==0'] });
    expect(copy.modes.quota!.thresholds).toEqual(['rate==0']);
    expect(profiles.modes.quota!.thresholds).not.toBe(copy.modes.quota!.thresholds);
  });
});
