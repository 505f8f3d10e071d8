import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * As root, Postgres runs as `postgres` and nginx's workers as `nobody`, so every directory above the stack's own
 * must let other users pass through (the x bit; nothing becomes listable or readable). A checkout under a private
 * directory (mode 0700, as `mktemp -d` makes, or a home directory) would otherwise stop Postgres with "Permission
 * denied". Adds o+x where it is missing and returns the directories it changed, so the caller can say so.
 */
export function makeTraversable(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  const changed: string[] = [];
  for (let d = dirname(dir); ; d = dirname(d)) {
    const mode = statSync(d).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(d, mode | 0o001);
      changed.push(d);
    }
    if (dirname(d) === d) break;
  }
  return changed;
}
