import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSummaries } from '../src/index';
import { cliSandbox, FIXTURES, headlessRun, runCli, startCli } from './support/cli';
import { startTestServer, waitFor } from './support/test-server';

const scenario = join(FIXTURES, 'counter.ts');
const box = cliSandbox('swarm-cli-');
const { path, read } = box;

describe('swarm run', () => {
  it('runs a decorated scenario, prints the report and writes every file report', async () => {
    box.server = await startTestServer();
    const r = await runCli([
      ...headlessRun(scenario, box.server.url),
      '--json',
      path('run.json'),
      '--csv',
      path('run'),
      '--junit',
      path('junit.xml'),
      '--html',
      path('report.html'),
      '--threshold',
      'p(99)<60000',
    ]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Type\s+Name\s+# reqs/);
    const s = read('run.json');
    expect(s.total.requests).toBe(box.server.total());
    expect(s.endpoints.map((e) => `${e.method} ${e.name}`)).toEqual([
      'GET /',
      'GET /items/:id',
      'POST place order',
    ]);
    expect(s.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['rate<0.5', true],
      ['p(99)<60000', true],
    ]);
    expect(readFileSync(path('run_stats.csv'), 'utf8')).toMatch(/^"Type","Name","Request Count"/);
    expect(readFileSync(path('junit.xml'), 'utf8')).toContain('tests="2" failures="0"');
    expect(readFileSync(path('report.html'), 'utf8')).toMatch(/<span class="verdict pass" id="verdict">PASS/);
  });

  it('runs only the tagged tasks with --tags', async () => {
    box.server = await startTestServer();
    const r = await runCli([
      'run',
      '--headless',
      scenario,
      '-u',
      '4',
      '-t',
      '1s',
      '-H',
      box.server.url,
      '--tags',
      'items',
      '--json',
      path('tags.json'),
    ]);
    expect(r.code).toBe(0);
    const s = read('tags.json');
    expect(s.endpoints.map((e) => e.name)).toEqual(['/items/:id']);
    expect(s.config.userClasses).toEqual(['Browser']);
  });

  it('exits 1 when a threshold fails and 2 on a bad flag, naming it', async () => {
    box.server = await startTestServer();
    const failed = await runCli([
      'run',
      '--headless',
      scenario,
      '-u',
      '1',
      '-t',
      '1s',
      '-H',
      box.server.url,
      '--threshold',
      'max<0',
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL\s+max<0/);
    const bad = await runCli(['run', '--headless', scenario, '--spawn-rate', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--spawn-rate: "fast" is not a number ≥ 0');
    const badThreshold = await runCli(['run', '--headless', scenario, '--threshold', 'p95<1']);
    expect(badThreshold.code).toBe(2);
    expect(badThreshold.stderr).toContain('--threshold: bad threshold "p95<1"');
  });

  it('reports an unreachable host before the run', async () => {
    const tmp = await startTestServer();
    const url = tmp.url;
    await tmp.close();
    const r = await runCli(['run', '--headless', scenario, '-u', '1', '-t', '5s', '-H', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot reach the host ${url} (ECONNREFUSED)`);
  });

  it('stops on SIGINT and still writes the reports, counts exact', async () => {
    box.server = await startTestServer();
    const run = startCli([
      'run',
      '--headless',
      scenario,
      '-u',
      '3',
      '-H',
      box.server.url,
      '--stop-timeout',
      '5s',
      '--json',
      path('int.json'),
    ]);
    await waitFor(() => box.server!.total() >= 30, 'the run to send 30 requests', 20_000);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('stopping');
    const s = read('int.json');
    expect(s.total.requests).toBe(box.server.total());
    expect(s.total.requests).toBeGreaterThanOrEqual(30);
  });
});

describe('processes and segments', () => {
  it('--processes 2 merges the workers exactly: totals equal the server’s count', async () => {
    box.server = await startTestServer();
    const r = await runCli([
      ...headlessRun(scenario, box.server.url, { users: 8, time: '2s' }),
      '--processes',
      '2',
      '--json',
      path('proc.json'),
    ]);
    expect(r.code).toBe(0);
    const s = read('proc.json');
    expect(s.config.processes).toBe(2);
    expect(s.config.users).toBe(8);
    expect(s.total.requests).toBe(box.server.total());
    expect(s.endpoints.reduce((n, e) => n + e.requests, 0)).toBe(s.total.requests);
    // Each worker samples its engine once a second; the merge keeps them (the busiest worker's) per second.
    const sampled = s.timeSeries.filter((p) => p.engineCpuPercent !== undefined);
    expect(sampled.length).toBeGreaterThan(0);
    for (const p of sampled) {
      expect(p.engineCpuPercent).toBeGreaterThanOrEqual(0);
      expect(p.eventLoopLagMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('Ctrl-C on a --processes run stops every worker and still writes the merged report', async () => {
    box.server = await startTestServer();
    const run = startCli([
      'run',
      '--headless',
      scenario,
      '-u',
      '4',
      '-H',
      box.server.url,
      '--stop-timeout',
      '5s',
      '--processes',
      '2',
      '--json',
      path('proc-int.json'),
    ]);
    await waitFor(() => box.server!.total() >= 40, 'the workers to send 40 requests', 30_000);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(0);
    const s = read('proc-int.json');
    expect(s.config.processes).toBe(2);
    expect(s.total.requests).toBe(box.server.total());
  });

  it('swarm merge of two segments equals the in-process merge and the server’s count', async () => {
    box.server = await startTestServer();
    const common = ['-u', '6', '-r', '100', '-t', '1s', '-H', box.server.url, '--stop-timeout', '5s'];
    const [a, b] = await Promise.all([
      runCli(['run', '--headless', scenario, ...common, '--segment', '1/2', '--json', path('part-1.json')]),
      runCli(['run', '--headless', scenario, ...common, '--segment', '2/2', '--json', path('part-2.json')]),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const p1 = read('part-1.json');
    const p2 = read('part-2.json');
    // Browser:Buyer is 3:1 over 6 users → global order B B Y B B B; segment 1 takes users 1, 3, 5.
    expect([p1.config.segment, p2.config.segment]).toEqual(['1/2', '2/2']);
    const m = await runCli([
      'merge',
      path('part-1.json'),
      path('part-2.json'),
      '--json',
      path('merged.json'),
      '--html',
      path('merged.html'),
      '--threshold',
      'count>0',
    ]);
    expect(m.code).toBe(0);
    const merged = read('merged.json');
    expect(merged.total.requests).toBe(box.server.total());
    expect(merged.total.requests).toBe(p1.total.requests + p2.total.requests);
    expect(merged.total.percentiles).toEqual(mergeSummaries([p1, p2]).total.percentiles);
    expect(merged.total.hist).toEqual(mergeSummaries([p1, p2]).total.hist);
    expect(readFileSync(path('merged.html'), 'utf8')).toContain(
      `<b id="stat-requests">${merged.total.requests}</b>`,
    );
  });

  it('swarm merge names a file that is not a summary', async () => {
    const r = await runCli(['merge', scenario]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${scenario}`);
  });
});
