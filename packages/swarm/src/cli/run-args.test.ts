import { describe, expect, it } from 'vitest';
import { parseRunArgs } from './run-args';

describe('parseRunArgs: what Locust users type', () => {
  it('takes the scenario from -f / --locustfile as well as from the first argument', () => {
    expect(parseRunArgs(['-f', 'load.ts', 'Reader'])).toMatchObject({
      file: 'load.ts',
      userClasses: ['Reader'],
    });
    expect(parseRunArgs(['--locustfile=load.ts']).file).toBe('load.ts');
    expect(parseRunArgs(['load.ts', 'Reader']).userClasses).toEqual(['Reader']);
  });

  it('takes Locust’s short flags: -T, -E, -s, -P, -l', () => {
    const a = parseRunArgs(['load.ts', '-T', 'a', '-E', 'b', '-s', '5s', '-P', '9000', '-l']);
    expect(a).toMatchObject({ tags: ['a'], excludeTags: ['b'], stopTimeoutS: 5, webPort: 9000, list: true });
  });

  it('reads Locust’s run flags', () => {
    const a = parseRunArgs([
      'load.ts',
      '--headless',
      '--only-summary',
      '--reset-stats',
      '--csv',
      'out/run',
      '--csv-full-history',
      '--exit-code-on-error',
      '3',
    ]);
    expect(a).toMatchObject({
      onlySummary: true,
      resetStats: true,
      csvFullHistory: true,
      exitCodeOnError: 3,
    });
    expect(parseRunArgs(['load.ts']).exitCodeOnError).toBe(1);
  });

  it('reads the web UI’s: --autostart, --autoquit, --print-stats, --web-allowed-host', () => {
    const a = parseRunArgs([
      'load.ts',
      '--autostart',
      '--autoquit',
      '5',
      '--print-stats',
      '--web-allowed-host',
      'LoadGen.example.com',
      '--web-allowed-host',
      'proxy:8443',
    ]);
    expect(a).toMatchObject({
      autostart: true,
      autoquitS: 5,
      printStats: true,
      webAllowedHosts: ['loadgen.example.com', 'proxy:8443'],
    });
  });

  it.each([
    [
      ['load.ts', '--master'],
      /--master: Swarm has no master and workers; use --processes N .* --segment i\/n/,
    ],
    [['load.ts', '--worker'], /--worker: Swarm has no master and workers/],
    [['load.ts', '--expect-workers=4'], /--expect-workers: .*swarm merge/],
    [['load.ts', '--autoquit', '5'], /--autoquit needs --autostart/],
    [['load.ts', '--headless', '--autostart'], /--autostart is for the web UI/],
    [['load.ts', '--csv-full-history'], /--csv-full-history needs --csv PREFIX/],
    [['load.ts', '--exit-code-on-error', '300'], /--exit-code-on-error: "300" is not an exit code/],
    [['load.ts', '--exit-code-on-error', 'x'], /--exit-code-on-error: "x" is not a whole number/],
    [['load.ts', '--web-allowed-host', 'http://x/'], /--web-allowed-host: "http:\/\/x\/" is not a host name/],
    [['load.ts', '--run-id', 'a b'], /--run-id: "a b" is not a run id/],
  ])('refuses %j with a message', (argv, message) => {
    expect(() => parseRunArgs(argv)).toThrow(message);
  });

  it('takes the run id from --run-id, else from SWARM_RUN_ID', () => {
    expect(parseRunArgs(['load.ts', '--run-id', 'job-7f3a'], { SWARM_RUN_ID: 'env' }).runId).toBe('job-7f3a');
    expect(parseRunArgs(['load.ts'], { SWARM_RUN_ID: 'b2c1e3f4-uid' }).runId).toBe('b2c1e3f4-uid');
    expect(parseRunArgs(['load.ts']).runId).toBeUndefined();
    expect(() => parseRunArgs(['load.ts'], { SWARM_RUN_ID: '$(x)' })).toThrow(/SWARM_RUN_ID: "\$\(x\)"/);
  });

  it('takes --server-queries as a JSON object of named queries, and names the flag when it is not one', () => {
    const q = {
      db: { query: 'sum(pg_stat_database_numbackends)', unit: 'conn' },
      nginx_active_connections: null,
    };
    expect(parseRunArgs(['load.ts', '--server-queries', JSON.stringify(q)]).serverQueries).toEqual(q);
    expect(parseRunArgs(['load.ts']).serverQueries).toBeUndefined();
    expect(() => parseRunArgs(['load.ts', '--server-queries', '{db:'])).toThrow(
      /^--server-queries: not JSON/,
    );
    expect(() => parseRunArgs(['load.ts', '--server-queries', '["up"]'])).toThrow(
      '--server-queries: need a JSON object of named queries',
    );
    expect(() => parseRunArgs(['load.ts', '--server-queries', '{"db":{"unit":"x"}}'])).toThrow(
      '--server-queries: serverQueries.db: need PromQL text or { query, unit }',
    );
  });

  it('reads --honor-retry-after and its bound, which needs it', () => {
    expect(parseRunArgs(['load.ts']).honorRetryAfter).toBeUndefined();
    expect(parseRunArgs(['load.ts', '--honor-retry-after']).honorRetryAfter).toEqual({ maxMs: 30_000 });
    expect(
      parseRunArgs(['load.ts', '--honor-retry-after', '--retry-after-max', '5s']).honorRetryAfter,
    ).toEqual({ maxMs: 5000 });
    expect(() => parseRunArgs(['load.ts', '--retry-after-max', '5s'])).toThrow(
      '--retry-after-max needs --honor-retry-after',
    );
    expect(() => parseRunArgs(['load.ts', '--honor-retry-after', '--retry-after-max', '0s'])).toThrow(
      '--retry-after-max: must be more than 0',
    );
  });
});

describe('parseRunArgs: --start-at and --source-address', () => {
  it('reads --start-at as epoch seconds, fractions allowed, into epoch ms', () => {
    expect(parseRunArgs(['load.ts', '--headless', '--start-at', '1764000000.25']).startAt).toBe(
      1764000000250,
    );
    expect(parseRunArgs(['load.ts']).startAt).toBeUndefined();
  });

  it('refuses a --start-at that is no time, naming the flag', () => {
    for (const bad of ['soon', '', '-5', 'Infinity']) {
      expect(() => parseRunArgs(['load.ts', '--headless', `--start-at=${bad}`])).toThrow(
        /^--start-at: ".*" is not a time; give epoch seconds/,
      );
    }
  });

  it('reads --source-address as an IPv4 or IPv6 address and refuses anything else', () => {
    expect(parseRunArgs(['load.ts', '--source-address', '127.0.0.2']).sourceAddress).toBe('127.0.0.2');
    expect(parseRunArgs(['load.ts', '--source-address', '::1']).sourceAddress).toBe('::1');
    expect(() => parseRunArgs(['load.ts', '--source-address', '127.0.0.256'])).toThrow(
      /^--source-address: "127\.0\.0\.256" is not an IP address/,
    );
  });
});
