import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTraversable } from './traversable';

const root = mkdtempSync(join(tmpdir(), 'swarmgate-trav-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeTraversable', () => {
  it('adds only o+x to the private directories above a stack, and says which', () => {
    const privateDir = join(root, 'checkout');
    const stack = join(privateDir, 'repo', '.stack');
    mkdirSync(stack, { recursive: true });
    chmodSync(privateDir, 0o700);
    chmodSync(root, 0o711);
    const changed = makeTraversable(stack);
    if (process.getuid?.() !== 0) {
      expect(changed).toEqual([]); // only root hands directories to other users
      return;
    }
    expect(changed).toContain(privateDir);
    expect(changed).not.toContain(root); // already traversable
    expect(statSync(privateDir).mode & 0o777).toBe(0o701);
    expect(makeTraversable(stack)).toEqual([]);
  });
});
