import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleSummary } from '../src/report/test-support';
import type { Summary } from '../src/stats/summary-types';
import { FIXTURES, runCli } from './support/cli';
import { startTestServer, type TestServer } from './support/test-server';

const scenario = join(FIXTURES, 'counter.ts');
let dir: string;
let server: TestServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-compare-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const path = (file: string) => join(dir, file);
const write = (file: string, s: unknown) => writeFileSync(path(file), JSON.stringify(s));
const read = (file: string) => JSON.parse(readFileSync(path(file), 'utf8')) as Summary;

/** The sample summary with every endpoint's and the total's p95 multiplied by `factor`. */
function slower(factor: number): Summary {
  const s = sampleSummary();
  for (const e of [...s.endpoints, s.total]) {
    e.percentiles = { ...e.percentiles, '95': (e.percentiles['95'] ?? 0) * factor };
  }
  return s;
}

describe('swarm compare', () => {
  beforeAll(() => {
    write('base.json', sampleSummary());
    write('same.json', sampleSummary());
    write('slower.json', slower(1.5));
  });

  it('prints the comparison and exits 0 when nothing regressed', async () => {
    const r = await runCli(['compare', path('base.json'), path('same.json'), '--fail-on-regression']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Compared with baseline ${path('base.json')}`);
    expect(r.stdout).toMatch(/GET\s+\/users\/:id\s+.*\(\+0\.0%\).*\s+ok\n/);
    expect(r.stdout).toContain('No regression beyond the tolerance.');
  });

  it('flags a regression but exits 0 without --fail-on-regression, 1 with it', async () => {
    const plain = await runCli(['compare', path('base.json'), path('slower.json')]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/\/users\/:id\s+.*\(\+50\.0%\)\s+.*REGRESSED: p95/);
    const strict = await runCli(['compare', path('base.json'), path('slower.json'), '--fail-on-regression']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/\d+ regressions? in \d+ rows?\./);
  });

  it('lets --tolerance widen what passes', async () => {
    const r = await runCli([
      'compare',
      path('base.json'),
      path('slower.json'),
      '--tolerance',
      '60%',
      '--fail-on-regression',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('latency +60%');
  });

  it('writes the HTML report of the new run with the comparison section', async () => {
    const r = await runCli(['compare', path('base.json'), path('slower.json'), '--html', path('cmp.html')]);
    expect(r.code).toBe(0);
    const html = readFileSync(path('cmp.html'), 'utf8');
    expect(html).toContain('<section id="comparison">');
    expect(html).toMatch(/<span class="fail">[^<]*\(\+50\.0%\)<\/span>/);
  });

  it('exits 2 naming a missing or foreign file and a bad flag value', async () => {
    const missing = await runCli(['compare', path('nope.json'), path('same.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read ${path('nope.json')}`);
    write('foreign.json', { hello: 1 });
    const foreign = await runCli(['compare', path('base.json'), path('foreign.json')]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(`${path('foreign.json')}: schema is undefined`);
    const bad = await runCli(['compare', path('base.json'), path('same.json'), '--tolerance', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tolerance: "lots" is not a percentage');
    const one = await runCli(['compare', path('base.json')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('needs two summary files');
  });
});

describe('swarm run --baseline', () => {
  const run = (extra: string[]) =>
    runCli(['run', '--headless', scenario, '-u', '2', '-r', '100', '-t', '1s', '-H', server!.url, ...extra]);

  it('prints the comparison table after the report and exits by thresholds and --fail-on-regression', async () => {
    server = await startTestServer();
    const first = await run(['--json', path('run-1.json')]);
    expect(first.code).toBe(0);
    // The same run, compared with tolerances no run can exceed: the table is there, nothing is flagged.
    const second = await run([
      '--baseline',
      path('run-1.json'),
      '--fail-on-regression',
      '--tolerance',
      '100%',
      '--failure-tolerance',
      '100%',
      '--latency-floor',
      '60000',
      '--html',
      path('run-2.html'),
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Compared with baseline ${path('run-1.json')}`);
    expect(second.stdout).toMatch(/GET\s+\/items\/:id\s+\S+ → \S+ \([+-]\d+\.\d%\)/);
    expect(second.stdout).toMatch(/\n\s+Aggregated\s+.*\s+ok\n/);
    expect(readFileSync(path('run-2.html'), 'utf8')).toContain('<section id="comparison">');
    // A baseline that served a million times the throughput: req/s regressed, whatever the machine.
    const fast = read('run-1.json');
    for (const e of [...fast.endpoints, fast.total]) e.rps *= 1e6;
    write('fast.json', fast);
    const third = await run(['--baseline', path('fast.json'), '--fail-on-regression']);
    expect(third.code).toBe(1);
    expect(third.stdout).toMatch(/Aggregated\s+.*REGRESSED: .*req\/s/);
    expect(third.stderr).toContain(`--fail-on-regression: `);
    // Without --fail-on-regression the thresholds alone decide.
    const fourth = await run(['--baseline', path('fast.json')]);
    expect(fourth.code).toBe(0);
    expect(fourth.stdout).toContain('REGRESSED');
  });

  it('exits 2 naming --baseline and the file when it is missing or not a summary, before any load', async () => {
    server = await startTestServer();
    const missing = await run(['--baseline', path('absent.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--baseline: cannot read ${path('absent.json')}`);
    writeFileSync(path('broken.json'), '{ not json');
    const broken = await run(['--baseline', path('broken.json')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`--baseline: cannot read ${path('broken.json')}`);
    const foreign = await run(['--baseline', scenario]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(`--baseline: cannot read ${scenario}`);
    expect(server.total()).toBe(0);
    const orphan = await run(['--fail-on-regression']);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain('need --baseline FILE');
  });
});
