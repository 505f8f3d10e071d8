import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Service {
  name: string;
  child: ChildProcess;
  /** Output so far (bounded), for error messages when the service fails to start. */
  output(): string;
  /** Sends `signal` and resolves when the process exited, escalating to SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running program and keeps the tail of its output. A missing binary is an error naming the
 * Debian package to install, not an ENOENT.
 */
export function startService(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { aptPackage?: string } = {},
): Service {
  if (command.startsWith('/') && !existsSync(command)) {
    throw new Error(
      `${name}: ${command} is missing; install it with: apt-get install -y ${options.aptPackage ?? name}`,
    );
  }
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => keep(Buffer.from(`\n${err.message}\n`)));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  return {
    name,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      await exited;
    },
  };
}
