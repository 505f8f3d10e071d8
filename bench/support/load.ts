import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Requests per second over all connections (autocannon's overallRate); undefined or 0: as fast as it goes. */
  rate?: number | undefined;
}

/**
 * One autocannon run against `url` from this process (keep-alive, no pipelining); rejects when autocannon fails,
 * and when any response was not 2xx or any request failed, naming `name`.
 */
export async function load(name: string, url: string, { connections, seconds, rate }: LoadOptions) {
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const limit = rate ? { overallRate: rate } : {};
    autocannon({ url, connections, duration: seconds, pipelining: 1, ...limit }, (err, r) =>
      err ? reject(err) : resolve(r),
    );
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Clock ticks per second of /proc/<pid>/stat's times: 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_S = 100;

/**
 * CPU seconds (user + system) the processes `pids` and their children have used so far, from /proc; undefined
 * where there is no /proc. Children count so that nginx's workers are measured through their master's pid.
 * Within one process tree it is exact to 10 ms, unlike a rate, which a busy machine moves.
 */
export function cpuSeconds(pids: number[]): number | undefined {
  let ticks = 0;
  try {
    for (const pid of pids) {
      for (const p of [pid, ...childrenOf(pid)]) ticks += ownTicks(p);
    }
  } catch {
    return undefined;
  }
  return ticks / TICKS_PER_S;
}

/** Fields after the command name (which may hold spaces and parentheses): state is [0], ppid [1], utime [11], stime [12]. */
const statFields = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};
const ownTicks = (pid: number) => {
  const f = statFields(pid);
  return Number(f[11]) + Number(f[12]);
};
/** A process's children: from its main thread's children list, or by scanning /proc for their parent pid. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .filter((p) => {
        try {
          return Number(statFields(p)[1]) === pid;
        } catch {
          return false; // exited while we looked
        }
      });
  }
}

/**
 * The options every stack bench takes — `--seconds` (10), `--connections` (50), `--rounds` (3), each a positive
 * integer, and `--rate` (0: as fast as it goes; N: every target at N requests/s, so that the CPU a request costs
 * compares between targets at the same rate, not at whatever rate each reached) — plus the bench's own string
 * flags (`extra`); a bad value exits 2 naming the flag.
 *
 * @example
 * const { seconds, connections, rounds, flags } = benchOptions({ profile: { type: 'string' } });
 */
export function benchOptions<T extends Record<string, { type: 'string' }>>(extra: T) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      rate: { type: 'string', default: '0' },
      ...extra,
    },
  });
  const v = values as Record<string, string | undefined>;
  const seconds = Number(v.seconds);
  const connections = Number(v.connections);
  const rounds = Number(v.rounds);
  for (const [flag, n] of Object.entries({ seconds, connections, rounds })) {
    if (!Number.isInteger(n) || n < 1) {
      console.error(`bench: --${flag} must be a positive integer`);
      process.exit(2);
    }
  }
  const rate = Number(v.rate);
  if (!Number.isInteger(rate) || rate < 0) {
    console.error('bench: --rate must be 0 (as fast as it goes) or a positive integer (requests/s)');
    process.exit(2);
  }
  return { seconds, connections, rounds, rate, flags: v as { [K in keyof T]?: string } };
}
