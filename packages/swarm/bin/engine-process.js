// The `swarm` command runs its engine in a Node process started with a larger young generation
// (`--max-semi-space-size`, which V8 reads only when a process starts). Users who wait between requests keep what
// their last request made alive through the wait; with V8's default 16 MB semi-space those objects outlive two
// young collections, every third of a second, and each collection copies them: with 10,000 such users that was a
// 10–19 ms pause three times a second, which set the engine's event-loop lag p99 and took a tenth of its CPU.
// With 64 MB a young collection comes every few seconds and most of what a wait keeps dies before it:
// BENCHMARKS.md ("A larger young generation") has the figures.
//
// So `swarm` started without Node flags of its own runs itself again, once, with the flag: this process only
// relays signals and the exit status. Started with any Node flag (`node --inspect bin/swarm.js`, or the flag
// itself in NODE_OPTIONS) it runs the engine itself, as it is: that process is the user's to shape.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** The flag the engine process gets. Each `--processes` worker inherits it from the engine's own `execArgv`. */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=64';

/** The signals the launcher passes on: Ctrl-C, what `timeout`, CI runners and Kubernetes send, a closed terminal. */
const RELAYED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Set in the engine process's environment: the launcher's pid, which the engine watches (`watchLauncher`). */
const LAUNCHER_PID = 'SWARM_LAUNCHER_PID';

/** Whether this process should start the engine process rather than be it. */
export function shouldRelaunch(argv = process.execArgv, env = process.env) {
  if (argv.length > 0) return false;
  const options = env.NODE_OPTIONS ?? '';
  // Flags that belong to one process: a second inspector would fight the first for its port, a profile would
  // describe the launcher. And the user's own young-generation size wins.
  return !/--max-semi-space-size|--inspect|--cpu-prof|--heap-prof|--prof\b/.test(options);
}

/**
 * Runs this command again (same arguments, same Node) with `YOUNG_GENERATION_FLAG`, then exits as it did: with
 * its exit code, or killed by the same signal. The engine process gets a session of its own, so Ctrl-C in a
 * terminal reaches it once, through this relay, and a second Ctrl-C (quit at once) stays a second one.
 */
export function relaunch() {
  const child = spawn(process.execPath, [YOUNG_GENERATION_FLAG, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: process.platform !== 'win32',
    env: { ...process.env, [LAUNCHER_PID]: String(process.pid) },
  });
  const relay = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of RELAYED) process.on(signal, relay);
  child.on('error', (err) => {
    process.stderr.write(`swarm: could not start the engine process (${process.execPath}): ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of RELAYED) process.off(s, relay);
    if (signal === null) process.exit(code ?? 1);
    process.kill(process.pid, signal);
    // A signal with no handler is ignored by a container's pid 1: exit as a shell reports a signal instead.
    setImmediate(() => process.exit(128 + (constants.signals[signal] ?? 0)));
  });
}

/**
 * In the engine process: if the launcher that started it goes away (killed with SIGKILL, which it cannot relay),
 * the run stops as on SIGTERM, writing its reports, instead of going on with no one to answer to.
 */
export function watchLauncher() {
  const launcher = Number(process.env[LAUNCHER_PID]);
  delete process.env[LAUNCHER_PID];
  if (!(launcher > 0) || process.ppid !== launcher) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, 1000);
  timer.unref();
}
