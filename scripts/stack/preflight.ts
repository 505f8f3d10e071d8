import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** An error meant for the person at the terminal: `part` names what failed, the message says how to fix it. */
export class StackError extends Error {
  constructor(
    readonly part: string,
    message: string,
    /** The last lines of the part's log, when it has one. */
    readonly logTail = '',
  ) {
    super(message);
    this.name = 'StackError';
  }
}

const INSTALL: Record<string, { apt: string; brew: string }> = {
  nginx: { apt: 'nginx-light', brew: 'nginx' },
  'redis-server': { apt: 'redis-server', brew: 'redis' },
  postgres: { apt: 'postgresql', brew: 'postgresql@15' },
};

/** The absolute path of `name` on the PATH or in the sbin directories (nginx lives in /usr/sbin on Debian). */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/opt/homebrew/bin'];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Throws a StackError listing every missing program with the apt and brew lines that install it. */
export function requireBinaries(names: string[], found: (name: string) => string | undefined = findBinary) {
  const missing = names.filter((n) => !found(n));
  if (missing.length === 0) return;
  const apt = missing.map((n) => INSTALL[n]?.apt ?? n).join(' ');
  const brew = missing.map((n) => INSTALL[n]?.brew ?? n).join(' ');
  throw new StackError(
    missing.join(', '),
    `not installed: ${missing.join(', ')}. Install with \`make setup\` (as root on Debian/Ubuntu), ` +
      `or: sudo apt-get install -y ${apt}   (macOS: brew install ${brew})`,
  );
}

/** True when nothing listens on 127.0.0.1:`port` (and so the stack may bind it). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Who listens on `port`, as `ss` tells it (e.g. `nginx (pid 1234)`), or undefined when it cannot say. */
export function listenerOf(port: number): string | undefined {
  const ss = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss.stdout ?? '');
  return match ? `${match[1]} (pid ${match[2]})` : undefined;
}

/** Throws a StackError when `port`, which `part` needs, is taken by a program the stack did not start. */
export async function requirePortFree(part: string, port: number, setting: string) {
  if (await portFree(port)) return;
  const who = listenerOf(port);
  throw new StackError(
    part,
    `port ${port}, which ${part} needs, is already in use${who ? ` by ${who}` : ''}. ` +
      `Stop that program, or pick another port: ${setting}=<port> make up`,
  );
}
