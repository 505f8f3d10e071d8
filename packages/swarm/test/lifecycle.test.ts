import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../src/index';
import { FIXTURES, runCli } from './support/cli';
import { startTestServer, type TestServer } from './support/test-server';

const scenario = join(FIXTURES, 'lifecycle.ts');
let dir: string;
let server: TestServer | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-lifecycle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const run = (extra: string[], env: Record<string, string> = {}) =>
  runCli(
    [
      'run',
      '--headless',
      scenario,
      '-u',
      '2',
      '-r',
      '100',
      '-t',
      '1s',
      '--stop-timeout',
      '5s',
      '-H',
      server!.url,
      ...extra,
    ],
    env,
  );

describe('setup() and teardown()', () => {
  it('hands setup data to every user, in every worker, and adds teardown checks and sections to the reports', async () => {
    server = await startTestServer();
    const json = join(dir, 'run.json');
    const r = await run(['--processes', '2', '--json', json, '--junit', join(dir, 'junit.xml')]);
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(json, 'utf8')) as Summary;
    expect(s.endpoints.map((e) => e.name)).toEqual(['/from-setup']);
    expect(s.total.requests).toBe(server.total());
    expect(s.thresholds).toEqual([{ expression: 'read_from_setup>0', actual: server.total(), ok: true }]);
    expect(s.sections).toEqual([
      {
        title: 'Teardown',
        columns: ['path', 'requests'],
        rows: [['/from-setup', server.total()]],
        note: 'from teardown',
      },
    ]);
    expect(r.stdout).toMatch(/Teardown\npath\s+requests\n[- ]+\n\/from-setup\s+\d+/);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('read_from_setup&gt;0');
  });

  it('stops before any user starts when setup() throws, naming why, with exit 2', async () => {
    server = await startTestServer();
    const r = await run([], { FAIL_SETUP: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /setup failed, no user started: GET http:\/\/127\.0\.0\.1:\d+\/ready answered 503, expected 200/,
    );
    expect(server.total()).toBe(0);
  });

  it('prints a plain progress line every 2 s when stderr is not a terminal', async () => {
    server = await startTestServer();
    const r = await runCli([
      'run',
      scenario,
      '--headless',
      '-u',
      '2',
      '-r',
      '100',
      '-t',
      '3s',
      '-H',
      server.url,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^\[\d+s\/3s\] users 2 {2}req\/s [\d.]+ {2}reqs \d+ {2}fails 0\.0+% {2}p95 [\d.]+ ms$/m,
    );
    expect(r.stderr).not.toMatch(/Type\s+Name/); // the live table is for terminals only
  });
});
