import { isFrozen, runningFrom, signalGroup } from '../../lib/daemon';
import { requirePortFree, StackError } from '../preflight';
import { type Context, logTail, type Part } from './parts';

/** Progress lines of `up` and `down`, on stdout. */
export const say = (line: string) => process.stdout.write(`${line}\n`);

/** `  app2      started on 127.0.0.1:8002`: one line per part, names aligned. */
export const partLine = (name: string, what: string) => `  ${name.padEnd(17)} ${what}`;

/**
 * Polls `part.ready()` until the deadline; fails early, with its log, if its process exits. `setting` names what
 * sets the deadline, for the message (`fault start` has its own `--timeout`).
 */
export async function waitReady(ctx: Context, part: Part, deadline: number, setting = 'STACK_UP_TIMEOUT_S') {
  const pidFile = ctx.paths.pidFile(part.name);
  let last = '';
  while (Date.now() < deadline) {
    if (!runningFrom(pidFile)) {
      throw new StackError(part.name, `${part.name} exited while starting`, logTail(ctx.paths, part.name));
    }
    try {
      if (await part.ready()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = last ? ` (last check: ${last})` : '';
  throw new StackError(
    part.name,
    `${part.name} was not ready within the deadline (${setting})${why}`,
    logTail(ctx.paths, part.name),
  );
}

/** Throws, naming the port, the program on it and the setting that moves it, when one `part` needs is taken. */
async function requirePartPortsFree(part: Part) {
  await requirePortFree(part.name, part.port, part.portSetting);
  for (const other of part.otherPorts ?? []) await requirePortFree(part.name, other.port, other.setting);
}

/**
 * Before anything starts: the ports of every part that is not running yet must be free, so a busy port stops
 * `up` at once rather than after Postgres, Redis and the migrations.
 */
export async function requirePortsFree(ctx: Context, parts: Part[]) {
  for (const part of parts) {
    if (!runningFrom(ctx.paths.pidFile(part.name))) await requirePartPortsFree(part);
  }
}

/**
 * Whether the part's pid file names a live process; one left frozen (by a `fault freeze` whose thaw never came)
 * is thawed first, or it would never become ready.
 */
export function thawIfFrozen(ctx: Context, name: string): boolean {
  const running = runningFrom(ctx.paths.pidFile(name));
  if (running && isFrozen(running)) {
    signalGroup(running.pid, 'SIGCONT');
    say(partLine(name, 'was frozen: thawed'));
  }
  return running !== undefined;
}

/**
 * Starts `part` unless its pid file names a live process (thawed if frozen); returns whether it started it.
 */
export async function ensureStarted(ctx: Context, part: Part): Promise<boolean> {
  if (thawIfFrozen(ctx, part.name)) return false;
  // Checked again: another program may have taken the port since the preflight.
  await requirePartPortsFree(part);
  try {
    part.start();
  } catch (err) {
    if (err instanceof StackError) throw err;
    throw new StackError(part.name, `${part.name} did not start: ${(err as Error).message}`);
  }
  return true;
}
