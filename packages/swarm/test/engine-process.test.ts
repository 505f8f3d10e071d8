// The `swarm` command as a launcher (bin/engine-process.js): the engine runs in a child process started with a
// larger young generation, and the launcher relays signals to it and exits as it did. Real processes, read from
// Linux /proc.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shouldRelaunch, YOUNG_GENERATION_FLAG } from '../bin/engine-process.js';
import { childPids, cliSandbox, FIXTURES, startCli } from './support/cli';
import { startTestServer, waitFor } from './support/test-server';

const counter = join(FIXTURES, 'counter.ts');
const lingering = join(FIXTURES, 'lingering.ts');
const box = cliSandbox('swarm-engine-process-');
const { path, read } = box;

/** The command line of a live process, as its arguments. */
const argsOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const alive = (pid: number) => existsSync(`/proc/${pid}`);

/** A long headless run of `scenario` (stopped by the test), writing `json`. */
const longRun = (scenario: string, url: string, json: string, more: string[] = []) => [
  ...['run', '--headless', scenario, '-u', '2', '-r', '100', '-t', '60s', '-H', url],
  ...['--stop-timeout', '30s', '--json', path(json), ...more],
];

describe('shouldRelaunch', () => {
  it('relaunches a plain start; leaves a process started with Node flags, or an inspector or profile, as it is', () => {
    expect(shouldRelaunch([], {})).toBe(true);
    expect(shouldRelaunch([], { NODE_OPTIONS: '--no-warnings' })).toBe(true);
    expect(shouldRelaunch(['--inspect'], {})).toBe(false);
    expect(shouldRelaunch([YOUNG_GENERATION_FLAG], {})).toBe(false);
    expect(shouldRelaunch([], { NODE_OPTIONS: '--max-semi-space-size=32' })).toBe(false);
    expect(shouldRelaunch([], { NODE_OPTIONS: '--inspect-brk=0' })).toBe(false);
    expect(shouldRelaunch([], { NODE_OPTIONS: '--cpu-prof' })).toBe(false);
  });
});

describe('the swarm command', () => {
  it('runs the engine in one child with the larger young generation, which each worker inherits; SIGINT reaches it once', async () => {
    box.server = await startTestServer();
    const cli = startCli(longRun(counter, box.server.url, 'relay.json', ['--processes', '2']));
    await waitFor(() => box.server!.total() >= 40, 'the workers to send 40 requests', 30_000);
    const engines = childPids(cli.child.pid!);
    expect(engines).toHaveLength(1);
    expect(argsOf(engines[0]!)).toContain(YOUNG_GENERATION_FLAG);
    const workers = childPids(engines[0]!);
    expect(workers).toHaveLength(2);
    for (const w of workers) expect(argsOf(w)).toContain(YOUNG_GENERATION_FLAG);
    cli.child.kill('SIGINT');
    const r = await cli.done;
    // One SIGINT: a stop that writes the reports (a second one would have quit at once with 130).
    expect(r.code).toBe(0);
    expect(r.stderr.match(/swarm: SIGINT: stopping/g)).toHaveLength(1);
    const s = read('relay.json');
    expect(s.stop).toEqual({ reason: 'signal', detail: 'SIGINT' });
    expect(s.total.requests + (s.interrupted ?? 0)).toBe(box.server.total());
  });

  it('a second SIGINT quits at once: the launcher exits 130 as the engine does', async () => {
    box.server = await startTestServer();
    const cli = startCli(longRun(lingering, box.server.url, 'twice.json'));
    await waitFor(() => box.server!.total() >= 2, 'both users to send their request', 30_000);
    cli.child.kill('SIGINT');
    let stderr = '';
    cli.child.stderr!.on('data', (d) => {
      stderr += d;
    });
    await waitFor(() => stderr.includes('SIGINT: stopping'), 'the engine to start stopping');
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(130);
  });

  it('a launcher killed with SIGKILL cannot relay: the engine notices and stops as on SIGTERM, writing its report', async () => {
    box.server = await startTestServer();
    const cli = startCli(longRun(counter, box.server.url, 'orphan.json', ['--stop-timeout', '5s']));
    await waitFor(() => box.server!.total() >= 20, 'the run to send 20 requests', 30_000);
    const [engine] = childPids(cli.child.pid!);
    cli.child.kill('SIGKILL');
    const r = await cli.done;
    expect(r.code).toBeNull();
    await waitFor(() => !alive(engine!), 'the engine to stop on its own', 15_000);
    const s = read('orphan.json');
    expect(s.stop).toEqual({ reason: 'signal', detail: 'SIGTERM' });
    expect(s.total.requests + (s.interrupted ?? 0)).toBe(box.server.total());
  });

  it('an engine killed by a signal: the launcher dies by the same signal', async () => {
    box.server = await startTestServer();
    const cli = startCli(longRun(counter, box.server.url, 'killed.json'));
    await waitFor(() => box.server!.total() >= 10, 'the run to send 10 requests', 30_000);
    const [engine] = childPids(cli.child.pid!);
    process.kill(engine!, 'SIGKILL');
    const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
      cli.child.on('exit', (_c, sig) => resolve(sig)),
    );
    expect(exit).toBe('SIGKILL');
  });

  it('started with Node flags of the user’s own, it is the engine itself: no child', async () => {
    box.server = await startTestServer();
    for (const [argv, env] of [
      [['--no-warnings'], {}],
      [[], { NODE_OPTIONS: '--max-semi-space-size=32' }],
    ] as const) {
      const cli = startCli(longRun(counter, box.server.url, 'own.json'), env, argv);
      const before = box.server.total();
      await waitFor(() => box.server!.total() >= before + 10, 'the run to send 10 requests', 30_000);
      expect(childPids(cli.child.pid!)).toEqual([]);
      cli.child.kill('SIGTERM');
      expect((await cli.done).code).toBe(0);
    }
  });
});
