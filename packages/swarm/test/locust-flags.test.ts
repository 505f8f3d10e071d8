import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSandbox, FIXTURES, headlessRun, runCli } from './support/cli';
import { startTestServer } from './support/test-server';

// What Locust users type, headless (the web UI's flags are in web-mode.test.ts).

const scenario = join(FIXTURES, 'counter.ts');
const box = cliSandbox('swarm-locust-');
const { path, read } = box;

describe('Locust’s flags', () => {
  it('-f FILE names the scenario, and --only-summary prints no progress, only the final report', async () => {
    box.server = await startTestServer();
    const r = await runCli([
      'run',
      '-f',
      scenario,
      '--headless',
      '-u',
      '2',
      '-t',
      '3s',
      '-H',
      box.server.url,
      '--only-summary',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Type\s+Name\s+# reqs/);
    expect(r.stderr).not.toMatch(/^\[\d+s\/3s\]/m);
    const chatty = await runCli([
      'run',
      '--locustfile',
      scenario,
      '--headless',
      '-u',
      '2',
      '-t',
      '3s',
      '-H',
      box.server.url,
    ]);
    expect(chatty.stderr).toMatch(/^\[\d+s\/3s\] users 2 /m);
  });

  it('-l lists the user classes, -V prints the version, and neither runs anything', async () => {
    const list = await runCli(['run', '-l', scenario]);
    expect(list).toMatchObject({ code: 0, stdout: 'Browser  (weight 3)\nBuyer  (weight 1)\n' });
    const version = await runCli(['-V']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\S*swarm\S* \d+\.\d+\.\d+ \(node \d+/);
  });

  it('--reset-stats starts the statistics afresh once every user is spawned', async () => {
    box.server = await startTestServer();
    // Four users at 2/s: spawning takes 1.5 s, while the first users already send requests.
    const common = [
      'run',
      '--headless',
      scenario,
      '-u',
      '4',
      '-r',
      '2',
      '-t',
      '3s',
      '-H',
      box.server.url,
      '--stop-timeout',
      '5s',
    ];
    const reset = await runCli([...common, '--reset-stats', '--json', path('reset.json')]);
    expect(reset.code).toBe(0);
    const counted = read('reset.json').total.requests;
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(box.server.total());
    const before = box.server.total();
    await runCli([...common, '--json', path('whole.json')]);
    expect(read('whole.json').total.requests).toBe(box.server.total() - before);
  });

  it('--csv-full-history writes a history line per endpoint each second, merged exactly across --processes', async () => {
    box.server = await startTestServer();
    const r = await runCli([
      ...headlessRun(scenario, box.server.url, { users: 8, time: '2s' }),
      '--processes',
      '2',
      '--csv',
      path('full'),
      '--csv-full-history',
    ]);
    expect(r.code).toBe(0);
    const [header, ...lines] = readFileSync(path('full_stats_history.csv'), 'utf8').trim().split('\n');
    const col = header!.split(',').indexOf('"Total Request Count"');
    const last = (name: string) =>
      lines
        .filter((l) => l.split(',')[3] === `"${name}"`)
        .at(-1)!
        .split(',')[col];
    expect(Number(last('/'))).toBe(box.server.counts.get('GET /'));
    expect(Number(last('place order'))).toBe(box.server.counts.get('POST /orders'));
    expect(Number(last('Aggregated'))).toBe(box.server.total());
  });
});
