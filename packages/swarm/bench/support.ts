// Helpers the benchmarks share: free ports, CPU pinning, a child's output, and nginx answering `return 200`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `argv` pinned to one core with taskset when it exists, else as is. */
export const pin = (core: number, argv: string[]): string[] =>
  has('taskset') ? ['taskset', '-c', String(core), ...argv] : argv;

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs `argv` and resolves with its stdout; rejects on a non-zero exit. */
export function run(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')} exited ${code}`)),
    );
  });
}

export interface Nginx {
  url: string;
  /** A scratch folder, removed by `stop`. */
  dir: string;
  stop(): void;
}

/**
 * nginx with one worker pinned to core 0, answering `return 200 "ok"` on 127.0.0.1 with keep-alive for as long as
 * a benchmark runs; `connections` sizes its worker (and file limit) for that many clients.
 */
export async function startNginx(connections = 4096): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'swarm-bench-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
worker_rlimit_nofile ${connections * 2 + 1024};
events { worker_connections ${connections + 512}; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  server { listen 127.0.0.1:${port} backlog=4096; location / { return 200 "ok"; } }
}
`,
  );
  const argv = pin(0, ['nginx', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  const nginx: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    stop() {
      nginx.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
