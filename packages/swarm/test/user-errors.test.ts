import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from './support/cli';

// What a user can get wrong is told in words, with exit 2: no stack trace.

/** What a stack trace has and a message does not: frames of functions, of Node's internals, of dependencies. */
const STACK = /\bat \S+ \(|node:internal|node_modules/;
const counter = join(FIXTURES, 'counter.ts');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mistakes in a scenario', () => {
  it('a syntax error: the file, line and column, and the offending line', async () => {
    const file = join(dir, 'typo.ts');
    writeFileSync(file, "export class Reader {\n  read() {\n    return fetch('/' +);\n  }\n}\n");
    const r = await runCli(['run', '--headless', file, '-H', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `swarm: cannot load ${file}: SyntaxError: Unexpected ")"`,
        `  at ${file}:3:23`,
        "    3 |     return fetch('/' +);",
        '      |                       ^',
        '',
      ].join('\n'),
    );
  });

  it('a throw while loading: the message and the line of the scenario that threw', async () => {
    const file = join(dir, 'throws.ts');
    writeFileSync(file, "const settings = JSON.parse('{oops');\nexport const x = settings;\n");
    const r = await runCli(['run', '--headless', file, '-H', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`swarm: cannot load ${file}: SyntaxError: Expected property name`);
    expect(r.stderr).toContain(`  at ${file}:1:23\n    1 | const settings = JSON.parse('{oops');`);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('a run that cannot start', () => {
  it('--tags that match no task name the tags there are', async () => {
    const r = await runCli(['run', '--headless', counter, '-H', 'http://127.0.0.1:9', '--tags', 'nosuchtag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('swarm: --tags: no task is tagged nosuchtag; the tags are items\n');
  });

  it('a class without a host says -H or static host', async () => {
    const r = await runCli(['run', '--headless', counter, '-u', '1', '-t', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'swarm: Browser has no host: pass -H/--host URL (e.g. -H http://127.0.0.1:8080) or set static host on the class\n',
    );
  });

  it('--processes checks the same before starting any worker', async () => {
    const r = await runCli([
      'run',
      '--headless',
      counter,
      '--processes',
      '2',
      '--tags',
      'nope',
      '-H',
      'http://127.0.0.1:9',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('swarm: --tags: no task is tagged nope; the tags are items\n');
  });
});
