import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { waitFor } from './ports';

/**
 * Background processes that outlive the command that started them: each runs in its own session, writes its
 * output to a log file, and is remembered by a pid file. The pid file also records the process's start time, so a
 * pid the kernel has since given to another program is never signalled.
 */
export interface PidRecord {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); absent where /proc does not exist. */
  startTime?: string;
  command: string;
}

export interface DaemonOptions {
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** State and start time of a process from /proc, or undefined when it does not exist (or /proc does not). */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces, so count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * True while the recorded process runs. A zombie counts as gone: it has exited, and it lingers only when nobody
 * reaps it (as under a container's PID 1 that is not an init).
 */
export function isRunning(record: PidRecord): boolean {
  if (existsSync('/proc/self/stat')) {
    const stat = procStat(record.pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
    return record.startTime === undefined || record.startTime === stat.startTime;
  }
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPidFile(pidFile: string): PidRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(pidFile, 'utf8')) as PidRecord;
    return Number.isInteger(record.pid) && record.pid > 0 ? record : undefined;
  } catch {
    return undefined;
  }
}

/** The running process recorded in `pidFile`, or undefined when there is none or it has exited. */
export function runningFrom(pidFile: string): PidRecord | undefined {
  const record = readPidFile(pidFile);
  return record && isRunning(record) ? record : undefined;
}

/**
 * Starts `command` detached (its own session, stdin closed, stdout and stderr appended to `logFile`), writes
 * `pidFile`, and returns the record. The caller waits for readiness; the process keeps running after this
 * process exits.
 */
export function startDaemon(options: DaemonOptions): PidRecord {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
    const record: PidRecord = {
      pid: child.pid,
      startTime: procStat(child.pid)?.startTime,
      command: [options.command, ...options.args].join(' '),
    };
    writeFileSync(options.pidFile, `${JSON.stringify(record)}\n`);
    return record;
  } finally {
    closeSync(log);
  }
}

/**
 * Signals the process group the daemon leads (the daemon and its children: postgres's backends, nginx's workers),
 * ignoring a group that is already gone. Returns false when there was nothing to signal.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group.
  }
}

/** True when the recorded process is stopped by a signal (SIGSTOP: a frozen part), from /proc; false elsewhere. */
export function isFrozen(record: PidRecord): boolean {
  const stat = procStat(record.pid);
  return stat !== undefined && (stat.state === 'T' || stat.state === 't') && isRunning(record);
}

/**
 * Stops the daemon recorded in `pidFile` with `signal`, waits up to `graceMs` for it to exit, then SIGKILLs what
 * is left of its process group; removes the pid file. Resolves false when nothing was running.
 * Example: `await stopDaemon('.stack/pids/redis.pid')`.
 */
export async function stopDaemon(pidFile: string, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
  const record = runningFrom(pidFile);
  if (!record) {
    rmSync(pidFile, { force: true });
    return false;
  }
  try {
    process.kill(record.pid, signal);
    // A frozen part (SIGSTOP, `fault freeze`) keeps the signal pending until it runs again: wake the whole group,
    // or this would wait out the grace and SIGKILL instead of stopping it gracefully.
    signalGroup(record.pid, 'SIGCONT');
    await waitFor(`pid ${record.pid} to exit`, () => !isRunning(record), graceMs, 25);
  } catch {
    signalGroup(record.pid, 'SIGKILL');
    await waitFor(`pid ${record.pid} to exit after SIGKILL`, () => !isRunning(record), 5_000, 25);
  }
  // Children of the daemon (nginx workers, postgres backends) are in its group; none may outlive it.
  signalGroup(record.pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}
