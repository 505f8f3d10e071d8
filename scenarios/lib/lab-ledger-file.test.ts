import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labRecorder, makeLabDir, readLabDir, removeLabDir } from './lab-ledger-file';

let dir = '';
afterEach(() => removeLabDir(dir));

describe('the lab ledger files', () => {
  it('gives the teardown what this process recorded, closing its file first', () => {
    dir = makeLabDir();
    const rec = labRecorder(dir);
    rec.write({ op: 'create', id: 1, version: 1, status: 201, at: 1 });
    rec.stale({ id: 1, expected: '>= v2', got: 'v1', upstream: '', instance: 'app1', cache: 'HIT', at: 2 });
    const r = readLabDir(dir);
    expect(r.writes).toHaveLength(1);
    expect(r.stale).toHaveLength(1);
    expect(r.processes).toEqual([{ pid: process.pid, complete: true }]);
  });

  it('collects another process’s records, written at its exit', () => {
    dir = makeLabDir();
    const script = `
      import { labRecorder } from ${JSON.stringify(join(import.meta.dirname, 'lab-ledger-file.ts'))};
      const rec = labRecorder(process.argv[1]);
      for (let i = 1; i <= 3; i++) rec.write({ op: 'create', id: i, version: 1, status: 201, at: i });
      process.exit(0);`;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], {
      timeout: 30_000,
    });
    expect(readdirSync(dir)).toHaveLength(1);
    const r = readLabDir(dir);
    expect(r.writes.map((w) => w.id)).toEqual([1, 2, 3]);
    expect(r.processes).toEqual([{ pid: expect.any(Number), complete: true }]);
  });
});
