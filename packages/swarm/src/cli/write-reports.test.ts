import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJson, writeWhole } from './write-reports';

const dir = mkdtempSync(join(tmpdir(), 'swarm-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeWhole', () => {
  it('replaces a report by renaming a finished file over it, leaving nothing partial behind', () => {
    const path = join(dir, 'out', 'summary.json');
    writeJson(path, { run: 1 });
    const before = statSync(path).ino;
    writeWhole(path, '{"run":2}\n');
    // A new inode: the old file was swapped, never rewritten in place (a reader sees one or the other, whole).
    expect(statSync(path).ino).not.toBe(before);
    expect(readFileSync(path, 'utf8')).toBe('{"run":2}\n');
    expect(readdirSync(join(dir, 'out'))).toEqual(['summary.json']);
  });

  it('makes the folder it writes into', () => {
    const path = join(dir, 'a', 'b', 'report.html');
    writeWhole(path, '<html></html>');
    expect(readFileSync(path, 'utf8')).toBe('<html></html>');
  });
});
