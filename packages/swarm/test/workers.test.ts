import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../src/index';
import { childPids, cliSandbox, FIXTURES, headlessRun, runCli, startCli } from './support/cli';
import { startTestServer, waitFor } from './support/test-server';

// The workers of --processes: started only by their parent, and one that dies loses its own segment only.

const scenario = join(FIXTURES, 'counter.ts');
const WORKER = fileURLToPath(new URL('../bin/swarm-worker.js', import.meta.url));
const box = cliSandbox('swarm-workers-');
const { path } = box;

describe('a worker that dies', () => {
  it('loses its segment only: the run goes on, its reports name the lost segment and what it sent, exit 1', async () => {
    box.server = await startTestServer();
    const cli = startCli([
      ...headlessRun(scenario, box.server.url, { time: '6s' }),
      '--processes',
      '2',
      '--json',
      path('lost.json'),
      '--html',
      path('lost.html'),
      '--junit',
      path('lost.xml'),
    ]);
    let stderr = '';
    cli.child.stderr!.on('data', (d) => {
      stderr += d;
    });
    // The merged progress line appears once both workers have reported their live statistics.
    await waitFor(() => /^\[\d+s\/6s\] users/m.test(stderr), 'both workers to report', 30_000);
    // The command's pid is the launcher; its one child is the engine, whose children are the workers.
    const [engine] = childPids(cli.child.pid!);
    const workers = childPids(engine!);
    expect(workers).toHaveLength(2);
    process.kill(workers[1]!, 'SIGKILL');
    const r = await cli.done;
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\bat \S+ \(|node:internal/); // no stack trace
    const s = JSON.parse(readFileSync(path('lost.json'), 'utf8')) as Summary;
    const [lost] = s.partial!.missing;
    expect(s.partial!.missing).toHaveLength(1);
    expect(lost!.reason).toMatch(/^worker killed by SIGKILL after [\d.]+ s$/);
    expect(lost!.lastReport!.requests).toBeGreaterThan(0);
    // The other worker ran to the end: its requests are all counted, the lost one's up to its last report.
    expect(s.stop).toEqual({ reason: 'run_time', detail: 'run time 6s reached' });
    expect(s.total.requests + lost!.lastReport!.requests).toBeLessThanOrEqual(box.server.total());
    expect(s.total.requests).toBeGreaterThan(0);
    expect(s.thresholds.at(-1)).toEqual({
      expression: `segment ${lost!.segment} lost: ${lost!.reason}`,
      actual: null,
      ok: false,
    });
    expect(r.stdout).toContain(`PARTIAL RESULT: 1 segment missing`);
    expect(r.stdout).toMatch(
      new RegExp(
        `segment ${lost!.segment}: worker killed by SIGKILL .*its last report, at \\d+s: \\d+ users, ${lost!.lastReport!.requests} requests`,
      ),
    );
    expect(readFileSync(path('lost.html'), 'utf8')).toContain('id="partial-warning"');
    expect(readFileSync(path('lost.xml'), 'utf8')).toContain(`segment ${lost!.segment} lost`);
  });
});

describe('the worker entry point', () => {
  it('refuses to run without its parent, saying what to run instead', async () => {
    const child = spawn(process.execPath, [WORKER], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('it is not a command. Run `swarm run FILE --processes N`');
  });

  it('is no flag of swarm run: --worker is refused, pointing to --processes and --segment', async () => {
    box.server = await startTestServer();
    const r = await runCli([
      'run',
      '--headless',
      scenario,
      '-u',
      '1',
      '-t',
      '1s',
      '-H',
      box.server.url,
      '--worker',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--worker: Swarm has no master and workers; use --processes N .* --segment i\/n/,
    );
    expect(box.server.total()).toBe(0);
  });
});
