// Helpers the benchmarks share: free ports, CPU pinning, a child's output, and nginx answering `return 200`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Node flags that start `swarm` with V8's own default young generation (16 MB semi-space on 64-bit): any Node flag
 * keeps it from relaunching with its larger one (bin/engine-process.js), so benches can compare the two.
 */
export const V8_DEFAULT_YOUNG_GENERATION = ['--max-semi-space-size=16'];

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
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')} exited ${code ?? signal}`)),
    );
  });
}

export interface Nginx {
  url: string;
  /** A scratch folder, removed by `stop`. */
  dir: string;
  /** Stops nginx, resolves once it has exited, and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * nginx with one worker pinned to core 0, answering `return 200 "ok"` on 127.0.0.1 with keep-alive for as long as
 * a benchmark runs; `connections` sizes its worker (and file limit) for that many clients.
 */
export async function startNginx(connections = 4096): Promise<Nginx> {
  // nginx starts closing idle keep-alive connections once fewer than 1/16 of its worker_connections are free
  // ("worker_connections are not enough, reusing connections", a warning below the default log level): 10,000
  // idle users on 10,512 slots lost ~160 connections a run to it. A fifth more than the clients keeps it away.
  const slots = Math.ceil(connections * 1.2) + 512;
  const dir = mkdtempSync(join(tmpdir(), 'swarm-bench-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
worker_rlimit_nofile ${slots * 2};
events { worker_connections ${slots}; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  server { listen 127.0.0.1:${port} backlog=4096; location / { return 200 "ok"; } }
}
`,
  );
  const argv = pin(0, ['nginx', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  const nginx: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  nginx.stderr?.on('data', (d) => {
    said += d;
  });
  let gone = false; // exited, or never started (no nginx on the PATH)
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      gone = true;
      resolve();
    };
    nginx.once('error', (err) => {
      said += err.message;
      done();
    });
    nginx.once('exit', done);
  });
  const stop = async () => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (!gone) nginx.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  // Ctrl-C or a harness's SIGTERM would otherwise leave nginx running after the benchmark is gone.
  const onSignal = (signal: NodeJS.Signals) =>
    void stop().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (gone) throw new Error(`nginx exited: ${said.trim()} (apt-get install -y nginx-light)`);
      if (Date.now() > deadline)
        throw new Error(`nginx is not answering on port ${port} after 10 s: ${said}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, dir, stop };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
