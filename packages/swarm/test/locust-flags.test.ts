import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../src/index';
import { FIXTURES, runCli } from './support/cli';
import { startTestServer, type TestServer } from './support/test-server';

// What Locust users type, headless (the web UI's flags are in web-mode.test.ts).

const scenario = join(FIXTURES, 'counter.ts');
let dir: string;
let server: TestServer | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-locust-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Summary;

describe('Locust’s flags', () => {
  it('-f FILE names the scenario, and --only-summary prints no progress, only the final report', async () => {
    server = await startTestServer();
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
      server.url,
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
      server.url,
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
    server = await startTestServer();
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
      server.url,
      '--stop-timeout',
      '5s',
    ];
    const reset = await runCli([...common, '--reset-stats', '--json', join(dir, 'reset.json')]);
    expect(reset.code).toBe(0);
    const counted = read('reset.json').total.requests;
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(server.total());
    const before = server.total();
    await runCli([...common, '--json', join(dir, 'whole.json')]);
    expect(read('whole.json').total.requests).toBe(server.total() - before);
  });

  it('--csv-full-history writes a history line per endpoint each second, merged exactly across --processes', async () => {
    server = await startTestServer();
    const r = await runCli([
      'run',
      '--headless',
      scenario,
      '-u',
      '8',
      '-r',
      '100',
      '-t',
      '2s',
      '-H',
      server.url,
      '--stop-timeout',
      '5s',
      '--processes',
      '2',
      '--csv',
      join(dir, 'full'),
      '--csv-full-history',
    ]);
    expect(r.code).toBe(0);
    const [header, ...lines] = readFileSync(join(dir, 'full_stats_history.csv'), 'utf8').trim().split('\n');
    const col = header!.split(',').indexOf('"Total Request Count"');
    const last = (name: string) =>
      lines
        .filter((l) => l.split(',')[3] === `"${name}"`)
        .at(-1)!
        .split(',')[col];
    expect(Number(last('/'))).toBe(server.counts.get('GET /'));
    expect(Number(last('place order'))).toBe(server.counts.get('POST /orders'));
    expect(Number(last('Aggregated'))).toBe(server.total());
  });
});
