import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSandbox, FIXTURES, headlessRun, runCli } from './support/cli';
import { startTestServer, type TestServer } from './support/test-server';

// swarm merge believes nothing: segments carry their run's id, and a merge refuses the same segment twice,
// missing segments and segments of different runs (exit 2, naming the files) unless --allow-partial.

const scenario = join(FIXTURES, 'counter.ts');
const box = cliSandbox('swarm-merge-');
const { path, read } = box;
/** One server for every test: the segments run once, in beforeAll. */
let server: TestServer;

/** Runs segment `i` of 2 of the counter scenario into `file`. */
const segment = (i: number, file: string, extra: string[] = []) =>
  runCli([...headlessRun(scenario, server.url), '--segment', `${i}/2`, '--json', path(file), ...extra]);

beforeAll(async () => {
  server = await startTestServer();
  // Two runs of two segments: one with the derived id, one with --run-id.
  const runs = await Promise.all([
    segment(1, 'a1.json'),
    segment(2, 'a2.json'),
    segment(1, 'b1.json', ['--run-id', 'job-b']),
    segment(2, 'b2.json', ['--run-id', 'job-b']),
  ]);
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
});
afterAll(() => server.close());

describe('run ids', () => {
  it('are shared by the segments of one run: derived from what they share, or given with --run-id', () => {
    expect(read('a1.json').runId).toMatch(/^cfg-[0-9a-f]{12}$/);
    expect(read('a2.json').runId).toBe(read('a1.json').runId);
    expect([read('b1.json').runId, read('b2.json').runId]).toEqual(['job-b', 'job-b']);
  });

  it('come from SWARM_RUN_ID when no --run-id is given, and a run of its own gets a unique one', async () => {
    const env = await runCli(
      ['run', '--headless', scenario, '-u', '1', '-t', '1s', '-H', server.url, '--json', path('env.json')],
      { SWARM_RUN_ID: 'k8s-uid-1234' },
    );
    expect(env.code).toBe(0);
    expect(read('env.json').runId).toBe('k8s-uid-1234');
    const own = await runCli([
      'run',
      '--headless',
      scenario,
      '-u',
      '1',
      '-t',
      '1s',
      '-H',
      server.url,
      '--json',
      path('own.json'),
    ]);
    expect(own.code).toBe(0);
    expect(read('own.json').runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  });
});

describe('swarm merge', () => {
  it('merges the segments of one run and keeps its id', async () => {
    const r = await runCli(['merge', path('b2.json'), path('b1.json'), '--json', path('b.json')]);
    expect(r.code).toBe(0);
    const merged = read('b.json');
    expect(merged.runId).toBe('job-b');
    expect(merged.partial).toBeUndefined();
    expect(merged.total.requests).toBe(read('b1.json').total.requests + read('b2.json').total.requests);
  });

  it('refuses the same segment twice, naming the files, and writes nothing', async () => {
    copyFileSync(path('a1.json'), path('a1-copy.json'));
    for (const files of [
      ['a1.json', 'a1.json'],
      ['a1.json', 'a1-copy.json', 'a2.json'],
    ]) {
      const r = await runCli(['merge', ...files.map(path), '--json', path('dup.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${path(files[0]!)} and ${path(files[1]!)} are both segment 1/2 of run ${read('a1.json').runId}`,
      );
    }
    expect(() => read('dup.json')).toThrow();
  });

  it('refuses segments of different runs, naming each file’s run', async () => {
    const r = await runCli(['merge', path('a1.json'), path('b2.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `they are of different runs: ${path('a1.json')} is of run ${read('a1.json').runId}, ${path('b2.json')} is of run job-b`,
    );
  });

  it('refuses a missing segment, and with --allow-partial merges what there is, marked partial in every report', async () => {
    const refused = await runCli(['merge', path('b1.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `segment 2/2 missing (${path('b1.json')} is 1/2); --allow-partial merges`,
    );
    const r = await runCli([
      'merge',
      path('b1.json'),
      '--allow-partial',
      '--json',
      path('partial.json'),
      '--html',
      path('partial.html'),
      '--junit',
      path('partial.xml'),
    ]);
    expect(r.code).toBe(0);
    expect(read('partial.json').partial).toEqual({
      missing: [{ segment: '2/2', reason: 'no file given to swarm merge', lastReport: null }],
    });
    expect(r.stdout).toContain(
      'PARTIAL RESULT: 1 segment missing; every number here is that of the others only',
    );
    expect(readFileSync(path('partial.html'), 'utf8')).toContain('id="partial-warning"');
    expect(readFileSync(path('partial.xml'), 'utf8')).toMatch(
      /<skipped message="partial result: segment 2\/2: no file given/,
    );
  });
});

describe('a segment whose pod or process failed', () => {
  it('cut short by SIGTERM: the merge refuses it, naming the segment; --allow-partial leaves it out', async () => {
    const killed = { ...read('a2.json'), stop: { reason: 'signal', detail: 'SIGTERM' } };
    writeFileSync(path('a2-killed.json'), JSON.stringify(killed));
    const r = await runCli(['merge', path('a1.json'), path('a2-killed.json'), '--json', path('cut.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /swarm merge: segment 2\/2 \(\S*a2-killed\.json\) did not run its course: stopped early \(signal: SIGTERM\)/,
    );
    expect(existsSync(path('cut.json'))).toBe(false);
    const partial = await runCli([
      'merge',
      path('a1.json'),
      path('a2-killed.json'),
      '--allow-partial',
      '--json',
      path('cut.json'),
    ]);
    expect(`${partial.stdout}${partial.stderr}`).toMatch(/2\/2/);
    const merged = read('cut.json');
    expect(merged.partial?.missing.map((m) => m.segment)).toEqual(['2/2']);
    expect(merged.total.requests).toBe(read('a1.json').total.requests);
  });

  it('no summary file at all: exit 2 naming the file', async () => {
    const r = await runCli(['merge', path('a1.json'), path('segment-2.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/swarm merge: cannot read \S*segment-2\.json: ENOENT.*writes no summary/);
  });
});
