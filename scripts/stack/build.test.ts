// The native stack's build step (native/build.ts): every service bundled into the files the parts run, and sources
// that do not compile named in a StackError rather than a stack trace.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT, buildServices } from './native/build';
import { StackError } from './preflight';

const ENTRIES = [
  'services/api/src/index.ts',
  'services/api/src/db/migrate-cli.ts',
  'services/worker/src/index.ts',
  'services/downstream/src/index.ts',
];

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A scratch repository with every entry point the build bundles; `brokenEntry`, if given, does not compile. */
function scratch(brokenEntry?: string): string {
  root = mkdtempSync(join(tmpdir(), 'stack-build-'));
  for (const entry of ENTRIES) {
    mkdirSync(join(root, dirname(entry)), { recursive: true });
    const ok = `const n: number = 1;\nexport default n;\n`;
    writeFileSync(join(root, entry), entry === brokenEntry ? 'const n: number = ;\n' : ok);
  }
  return root;
}

describe('buildServices', () => {
  it('writes every file the parts run, with its source map', () => {
    buildServices(scratch());
    for (const file of Object.values(BUILT)) {
      expect(existsSync(join(root, file)), file).toBe(true);
      expect(existsSync(join(root, `${file}.map`)), `${file}.map`).toBe(true);
    }
  });

  it('names the source that does not compile, with its line, in a StackError of the build step', () => {
    let caught: unknown;
    try {
      buildServices(scratch('services/worker/src/index.ts'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StackError);
    expect((caught as StackError).part).toBe('build');
    expect((caught as StackError).message).toMatch(
      /^services\/worker\/dist\/bin could not be bundled from its sources: services\/worker\/src\/index\.ts:1:\d+: /,
    );
  });
});
